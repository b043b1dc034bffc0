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

/* --- 规则构建器 (monitoring rule builder, ZX-4b) --- */
// Beside the expression editor: a field, a comparator and a value make one clause, joined to
// what the editor holds with 且/或. The server checks the expression whatever wrote it.
document.addEventListener("DOMContentLoaded", () => {
  const builder = document.querySelector("[data-rule-builder]");
  if (!builder) return;
  const form = builder.closest("form");
  const editor = form && form.querySelector("textarea[name='expression']");
  if (!editor) return;
  const part = (name) => builder.querySelector(`[data-rb='${name}']`);
  const field = part("field");
  const op = part("op");
  const error = part("error");
  builder.hidden = false;
  const kind = () => (field.selectedOptions[0] ? field.selectedOptions[0].dataset.kind : "");
  const sync = () => {
    const k = kind();
    let firstFitting = null;
    Array.from(op.options).forEach((o) => {
      const fits = o.dataset.kinds.split(" ").includes(k);
      o.hidden = !fits;
      o.disabled = !fits;
      if (fits && !firstFitting) firstFitting = o;
    });
    if (op.selectedOptions[0] && op.selectedOptions[0].disabled && firstFitting) op.value = firstFitting.value;
    builder.querySelectorAll("[data-rb-value]").forEach((label) => {
      label.hidden = !label.dataset.rbValue.split(" ").includes(k) || k === "flag";
    });
    error.textContent = "";
  };
  field.addEventListener("change", sync);
  sync();
  const quote = (text) => `'${text.replace(/\\/g, "\\\\").replace(/'/g, "\\'")}'`;
  const clause = () => {
    const k = kind();
    const path = field.value;
    const o = op.value;
    if (k === "flag") return o === "true" ? path : `not ${path}`;
    let value;
    if (k === "money" || k === "number") {
      const typed = part("value-number").value.trim().replace(/,/g, "");
      if (!/^\d+(\.\d{1,2})?$/.test(typed)) {
        throw new Error(k === "money" ? "请填写金额（元），如 10000 或 10,000.50" : "请填写数字，如 20");
      }
      value = typed;
    } else if (k === "text") {
      const typed = part("value-text").value;
      if (typed.trim() === "") throw new Error("请填写要比较的文字");
      value = quote(typed);
    } else {
      const select = part(`value-${k}`);
      if (!select || !select.value) throw new Error("请选择值");
      value = quote(select.value);
    }
    if (o === "startsWith" || o === "contains") return `${o}(${path}, ${value})`;
    return `${path} ${o} ${value}`;
  };
  part("add").addEventListener("click", () => {
    let text;
    try {
      text = clause();
    } catch (e) {
      error.textContent = e.message;
      return;
    }
    error.textContent = "";
    const current = editor.value.trim();
    const join = part("join").value;
    editor.value = current === "" ? text : `${current} ${join} ${text}`;
    editor.dispatchEvent(new Event("input", { bubbles: true }));
  });
});
