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

// Charts (ECharts, vendored): a page puts the data in data-chart; nothing inline.
document.addEventListener("DOMContentLoaded", () => {
  if (typeof echarts === "undefined") return;
  document.querySelectorAll("[data-chart]").forEach((el) => {
    const spec = JSON.parse(el.dataset.chart);
    const chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 60, right: 20, top: 36, bottom: 60, containLabel: true },
      xAxis: { type: "category", data: spec.categories, axisLabel: { interval: 0, rotate: spec.categories.length > 6 ? 30 : 0 } },
      yAxis: { type: "value" },
      series: spec.series.map((s) => ({
        name: s.name,
        type: s.kind || "bar",
        stack: s.stack || undefined,
        data: s.data.map(Number),
      })),
    });
    el.dataset.rendered = "true";
    window.addEventListener("resize", () => chart.resize());
  });
});

// A select marked data-autosubmit sends its form when changed (the policy's year); the
// Content-Security-Policy allows no inline handlers, so this lives here.
document.addEventListener("change", (event) => {
  const select = event.target;
  if (select instanceof HTMLSelectElement && select.hasAttribute("data-autosubmit") && select.form) {
    select.form.submit();
  }
});

/* --- 文书：打印与确认 (documents people sign: print, confirmation before 批复/下达/结转/止付) --- */
// A button marked data-print prints the page (the print layout hides the toolbar).
document.addEventListener("click", (event) => {
  const button = event.target instanceof Element ? event.target.closest("[data-print]") : null;
  if (!button) return;
  event.preventDefault();
  window.print();
});
// A form, or the submit button pressed, marked data-confirm says what will happen to the numbers
// and is sent only when confirmed; without this file the form is simply sent.
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement)) return;
  const submitter = event.submitter;
  const text = (submitter && submitter.dataset && submitter.dataset.confirm) || form.dataset.confirm;
  if (text && !window.confirm(text)) event.preventDefault();
});
