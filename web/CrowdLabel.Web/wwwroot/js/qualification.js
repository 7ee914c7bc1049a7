// Qualification test by keyboard: in an item, a label's key (in any case, as on the workbench) chooses that label and
// moves on to the next item.
const form = document.getElementById("qualification");

if (form) {
  const items = [...form.querySelectorAll("fieldset.qualification-item")];
  items[0]?.querySelector("input")?.focus();

  form.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    const item = event.target.closest?.("fieldset.qualification-item");
    if (!item) return;
    const key = event.key.toLowerCase();
    const choice = [...item.querySelectorAll("input[data-key]")].find((input) => input.dataset.key.toLowerCase() === key);
    if (!choice) return;
    event.preventDefault();
    choice.checked = true;
    const next = items[Number(item.dataset.index) + 1];
    (next?.querySelector("input") ?? form.querySelector("button[type=submit]")).focus();
  });
}
