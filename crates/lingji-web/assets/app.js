// lingji 零基: small progressive enhancements; every page works without this file.
document.addEventListener("DOMContentLoaded", () => {
  // Keep the first field with an error in view.
  const firstError = Array.from(document.querySelectorAll(".field-error")).find((e) => e.textContent.trim() !== "");
  if (firstError) {
    const input = firstError.parentElement && firstError.parentElement.querySelector("input, select");
    if (input) input.focus();
  }
});

// Picking an indicator from the library (PM-4) fills its category, comparator and unit.
document.addEventListener("change", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || input.name !== "ind.name") return;
  const option = Array.from(document.querySelectorAll("#indicator-library option")).find((o) => o.value === input.value);
  const row = input.closest("tr");
  if (!option || !row) return;
  row.querySelector("select[name='ind.category']").value = option.dataset.category;
  row.querySelector("select[name='ind.comparator']").value = option.dataset.comparator;
  row.querySelector("input[name='ind.unit']").value = option.dataset.unit;
});
