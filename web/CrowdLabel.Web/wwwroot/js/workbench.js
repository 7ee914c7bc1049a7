// Keyboard-first workbench: a label's key answers, 0 skips; the lease countdown ticks. Typing in a text box is left alone.
const workbench = document.getElementById("workbench");

if (workbench) {
  const shortcuts = new Map();
  for (const button of workbench.querySelectorAll("button[data-key]")) {
    shortcuts.set(button.dataset.key.toLowerCase(), button);
  }

  document.addEventListener("keydown", (event) => {
    const target = event.target;
    if (event.ctrlKey || event.metaKey || event.altKey) return;
    if (target instanceof HTMLTextAreaElement || target instanceof HTMLInputElement || target instanceof HTMLSelectElement) return;
    const button = shortcuts.get(event.key.toLowerCase());
    if (button && !button.disabled) {
      event.preventDefault();
      for (const other of shortcuts.values()) other.disabled = true; // one answer per task, even on a double press
      button.disabled = false;
      button.form.requestSubmit(button);
    }
  });

  const left = document.getElementById("lease-left");
  const expires = Date.parse(workbench.dataset.expires);
  const tick = () => {
    const seconds = Math.max(0, Math.round((expires - Date.now()) / 1000));
    left.textContent = `${Math.floor(seconds / 60)}:${String(seconds % 60).padStart(2, "0")}`;
    if (seconds === 0) {
      left.textContent = "0:00 (the lease ended: reload for a new task)";
      clearInterval(timer);
    }
  };
  const timer = setInterval(tick, 1000);
  tick();
}
