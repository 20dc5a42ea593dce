// Copy buttons: <button class="copy" data-copy-target="ID"> copies the value of the input with that id.
document.addEventListener("click", async (event) => {
  const button = event.target.closest("button.copy[data-copy-target]");
  if (!button) return;
  const field = document.getElementById(button.dataset.copyTarget);
  if (!field) return;
  field.select();
  try {
    await navigator.clipboard.writeText(field.value);
    button.textContent = "Copied";
  } catch (error) {
    // No clipboard permission (or an old browser): the address stays selected for Ctrl+C.
    button.textContent = "Press Ctrl+C";
  }
  setTimeout(() => { button.textContent = "Copy"; }, 2000);
});
