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
/* --- 支付录入与金额、科目选择 (payment form, amount inputs, pickers) --- */
(() => {
  // Full-width digits and signs as a Chinese input method types them, in ASCII.
  const halfWidth = (s) =>
    s.replace(/[０-９．，－　]/g, (c) =>
      c === "．" ? "." : c === "，" ? "," : c === "－" ? "-" : c === "　" ? " " : String.fromCharCode(c.charCodeAt(0) - 0xfee0));

  // An input with data-filter-for="<select id>" filters that select's options as one types;
  // when one option is left it is picked (and its change sent, so the live check runs).
  document.addEventListener("input", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !input.dataset.filterFor) return;
    const select = document.getElementById(input.dataset.filterFor);
    if (!(select instanceof HTMLSelectElement)) return;
    const words = input.value.trim().toLowerCase().split(/\s+/).filter(Boolean);
    const left = [];
    Array.from(select.options).forEach((o) => {
      if (!o.value) return;
      const match = words.every((w) => o.textContent.toLowerCase().includes(w));
      o.hidden = !match;
      if (match && !o.disabled) left.push(o);
    });
    if (left.length === 1 && select.value !== left[0].value) {
      select.value = left[0].value;
      select.dispatchEvent(new Event("change", { bubbles: true }));
    }
  });

  // Picking a line fills the economic code it fixes (read-only for a line of a 款; a line of a
  // 类 keeps a 款 picked within it). In the capture phase, before htmx sends the check.
  document.addEventListener("change", (event) => {
    const select = event.target;
    if (!(select instanceof HTMLSelectElement) || !select.hasAttribute("data-line-picker") || !select.form) return;
    const code = select.form.querySelector("input[name=economic_code]");
    const option = select.selectedOptions[0];
    if (!code) return;
    if (!option || !option.value) {
      code.readOnly = false;
      return;
    }
    const fixes = option.dataset.fixes === "true";
    if (fixes || !code.value.startsWith(option.dataset.code)) code.value = option.dataset.code;
    code.readOnly = fixes;
  }, true);

  // An amount is shown back with thousands separators once typed (120000 → 120,000.00); what
  // does not read as an amount is left as typed for the server to refuse beside the field.
  // Marked data-amount, or one of the amount fields of the other forms (all read by the one
  // parser, which takes separators).
  const amountFields = ["amount", "cash_limit", "own_funds", "resources", "revenue", "transfers", "recovered", "debt", "unit_funds", "reserve"];
  document.addEventListener("focusout", (event) => {
    const input = event.target;
    if (!(input instanceof HTMLInputElement) || !(input.hasAttribute("data-amount") || amountFields.includes(input.name))) return;
    const m = /^(-?)(\d{1,3}(?:[, ]\d{3})+|\d+)(?:\.(\d{1,2}))?$/.exec(halfWidth(input.value).trim());
    if (!m) return;
    const whole = m[2].replace(/[, ]/g, "").replace(/^0+(?=\d)/, "");
    input.value = `${m[1]}${whole.replace(/\B(?=(\d{3})+(?!\d))/g, ",")}.${(m[3] || "").padEnd(2, "0")}`;
  });

  // The live check (htmx) says when the rules would block the payment: the submit button is
  // disabled and the reason shown beside it (ZX-4b); the server refuses it there too.
  document.addEventListener("htmx:afterSwap", (event) => {
    const target = event.detail && event.detail.target;
    if (!(target instanceof HTMLElement) || target.id !== "payment-check") return;
    const form = target.closest("form");
    if (!form) return;
    const block = target.querySelector("[data-block]");
    const submit = form.querySelector("button[type=submit]");
    const reason = form.querySelector(".block-reason");
    if (submit) submit.disabled = Boolean(block);
    if (reason) reason.textContent = block ? block.dataset.block : "";
  });
})();
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
/* --- 选择器 (pickers): 支出标准 fills 单价; a known payee sets its type --- */
// A cost line's 支出标准 input (data-standard-picker, list="standard-codes"): picking a standard
// writes its amount into the row's 单价. Without JS the server takes the standard's amount when
// 单价 is left empty.
// A payee input (data-payee-picker, list="…"): picking a known payee sets the form's 收款人类型
// (and the account fields it carries) from the option's data-* attributes. Typed by hand, or
// without JS, the fields stay as the person sets them.
document.addEventListener("input", (event) => {
  const input = event.target;
  if (!(input instanceof HTMLInputElement) || !input.list) return;
  const option = [...input.list.options].find((o) => o.value === input.value);
  if (!option) return;
  if (input.hasAttribute("data-standard-picker")) {
    const row = input.closest("tr");
    const price = row && row.querySelector("input[name='line.unit_amount']");
    if (price && option.dataset.amount) {
      price.value = option.dataset.amount;
      price.dispatchEvent(new Event("input", { bubbles: true }));
    }
  }
  if (input.hasAttribute("data-payee-picker") && input.form) {
    for (const [key, value] of Object.entries(option.dataset)) {
      const field = input.form.elements.namedItem(key.replace(/[A-Z]/g, (c) => "_" + c.toLowerCase()));
      if (field && "value" in field && value !== "") {
        field.value = value;
        field.dispatchEvent(new Event("change", { bubbles: true }));
      }
    }
  }
});
