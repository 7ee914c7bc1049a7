// Uploads a batch file with a progress bar. Without JavaScript the form posts normally.
const form = document.getElementById("upload");
const progress = document.getElementById("upload-progress");

function showErrors(errors) {
  let box = document.getElementById("import-errors");
  if (!box) {
    box = document.createElement("div");
    box.id = "import-errors";
    box.className = "notice error";
    form.appendChild(box);
  }
  box.replaceChildren();
  const intro = document.createElement("p");
  intro.textContent = "The file was not imported; nothing was stored. Fix these and upload it again:";
  const list = document.createElement("ul");
  for (const error of errors) {
    const item = document.createElement("li");
    item.textContent = error; // text, never HTML: messages quote the uploaded file
    list.appendChild(item);
  }
  box.append(intro, list);
}

form?.addEventListener("submit", (event) => {
  event.preventDefault();
  const request = new XMLHttpRequest();
  request.open("POST", form.action);
  request.setRequestHeader("Accept", "application/json");
  progress.hidden = false;
  progress.value = 0;
  request.upload.addEventListener("progress", (e) => {
    if (e.lengthComputable) progress.value = Math.round((e.loaded / e.total) * 100);
  });
  request.addEventListener("load", () => {
    let body = {};
    try { body = JSON.parse(request.responseText); } catch { body = { errors: [`The upload failed (HTTP ${request.status}).`] }; }
    if (request.status === 200 && body.batchUrl) {
      window.location.assign(body.batchUrl);
    } else {
      progress.hidden = true;
      showErrors(body.errors ?? [`The upload failed (HTTP ${request.status}).`]);
    }
  });
  request.addEventListener("error", () => {
    progress.hidden = true;
    showErrors(["The upload did not reach the server; check the connection and try again."]);
  });
  request.send(new FormData(form));
});
