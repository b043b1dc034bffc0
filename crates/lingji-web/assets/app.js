// lingji 零基: small progressive enhancements; every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Keep the first field with an error in view.
  const firstError = Array.from(document.querySelectorAll(".field-error")).find((e) => e.textContent.trim() !== "");
  if (firstError) {
    const input = firstError.parentElement && firstError.parentElement.querySelector("input, select");
    if (input) input.focus();
  }
});
