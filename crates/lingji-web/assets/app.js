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

/* --- 列表 (lists): select-all for bulk actions --- */
// A checkbox marked data-select-all="NAME" ticks or clears every checkbox named NAME in its
// form; it follows them when they are ticked one by one. Without JS the rows are ticked singly.
document.addEventListener("change", (event) => {
  const box = event.target;
  if (!(box instanceof HTMLInputElement) || box.type !== "checkbox" || !box.form) return;
  const all = box.dataset.selectAll;
  if (all) {
    box.form.querySelectorAll(`input[type=checkbox][name="${CSS.escape(all)}"]`).forEach((b) => {
      b.checked = box.checked;
    });
    return;
  }
  const master = box.form.querySelector(`input[data-select-all="${CSS.escape(box.name)}"]`);
  if (master) {
    const boxes = [...box.form.querySelectorAll(`input[type=checkbox][name="${CSS.escape(box.name)}"]`)];
    master.checked = boxes.length > 0 && boxes.every((b) => b.checked);
  }
});
