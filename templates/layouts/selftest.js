"use strict";
// Answer rules mirror quizgen/answers.py and quizgen/text.py.
const ALL = JSON.parse(document.getElementById("questions").textContent);
const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
const OPTION_TYPES = ["multiple-choice", "multiple-response", "true-false"];  // quizgen.model.OPTION_TYPES
let queue = ALL.slice(), position = 0, results = {}, mode = "one";

function normalise(text) {
  const words = text.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
    .replace(/[\u2018\u2019\u02bc'`\u00b4]/g, "").replace(/[^\p{L}\p{N}_]+/gu, " ").trim().split(/\s+/).filter(Boolean);
  const articles = ["the", "al", "el", "a", "an"];
  return words.filter((w, i) => !((articles.includes(w) && words.length > 1 && i === 0) || (w === "al" && words.length > 1))).join(" ");
}
function editDistance(a, b) {
  const d = Array.from({length: a.length + 1}, (_, i) => [i, ...Array(b.length).fill(0)]);
  for (let j = 0; j <= b.length; j++) d[0][j] = j;
  for (let i = 1; i <= a.length; i++) for (let j = 1; j <= b.length; j++) {
    d[i][j] = Math.min(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] === b[j - 1] ? 0 : 1));
    if (i > 1 && j > 1 && a[i - 1] === b[j - 2] && a[i - 2] === b[j - 1]) d[i][j] = Math.min(d[i][j], d[i - 2][j - 2] + 1);
  }
  return d[a.length][b.length];
}
function allowance(text) { return text.length <= 4 ? 0 : text.length <= 8 ? 1 : 2; }
function textMatches(given, accepted) {
  const g = normalise(given);
  return g !== "" && accepted.some(t => { const w = normalise(t); return g === w || editDistance(g, w) <= allowance(w); });
}

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  Object.entries(props).forEach(([k, v]) => { if (k === "text") node.textContent = v; else node.setAttribute(k, v); });
  children.forEach(c => c && node.append(c));
  return node;
}

function inputsFor(q, n) {
  const box = el("div", {class: "answer"});
  const name = "q" + n;
  if (OPTION_TYPES.includes(q.type)) {
    const several = q.type === "multiple-response";
    const group = el("div", {class: "options", role: several ? "group" : "radiogroup"});
    if (several) box.append(el("p", {class: "progress", text: "Tick every correct answer:"}));
    q.options.forEach((o, i) => {
      const input = el("input", {type: several ? "checkbox" : "radio", name, value: String(i), id: `${name}-${i}`});
      group.append(el("label", {for: `${name}-${i}`, dir: "auto"}, input, `${LETTERS[i]}) ${o.text}`));
    });
    box.append(group);
  } else if (q.type === "matching") {
    q.pairs.forEach((p, i) => {
      const select = el("select", {name: `${name}-${i}`, "aria-label": p.left});
      select.append(el("option", {value: "", text: "—"}));
      q.choices.forEach(c => select.append(el("option", {value: c, text: c})));
      box.append(el("label", {class: "row", dir: "auto"}, `${i + 1}. ${p.left}`, select));
    });
  } else if (q.type === "ordering") {
    const list = el("ul", {class: "items"});
    q.items.forEach(item => list.append(el("li", {dir: "auto", text: item})));
    box.append(list, el("p", {class: "progress", text: "Choose the events in order, earliest first:"}));
    q.items.forEach((_, i) => {
      const select = el("select", {name: `${name}-${i}`, "aria-label": `Position ${i + 1}`});
      select.append(el("option", {value: "", text: "—"}));
      q.items.forEach(item => select.append(el("option", {value: item, text: item})));
      box.append(el("label", {class: "row"}, `${i + 1}.`, select));
    });
  } else {
    const type = q.type === "numeric" ? "number" : "text";
    const input = el("input", {type, name, id: name, autocomplete: "off", step: "any", dir: "auto"});
    const unit = q.numeric ? ` (${q.numeric.unit})` : "";
    box.append(el("label", {for: name, text: "Your answer" + unit}), input);
  }
  return box;
}

function responseOf(q, node, n) {
  const name = "q" + n;
  if (q.type === "multiple-response") {
    return Array.from(node.querySelectorAll(`input[name="${name}"]:checked`), input => Number(input.value));
  }
  if (q.type === "multiple-choice" || q.type === "true-false") {
    const picked = node.querySelector(`input[name="${name}"]:checked`);
    return picked ? Number(picked.value) : null;
  }
  if (q.type === "matching" || q.type === "ordering") {
    const count = q.type === "matching" ? q.pairs.length : q.items.length;
    return Array.from({length: count}, (_, i) => node.querySelector(`select[name="${name}-${i}"]`).value);
  }
  return node.querySelector(`input[name="${name}"]`).value;
}

function isCorrect(q, r) {
  if (r === null) return false;
  switch (q.type) {
    case "multiple-choice": case "true-false": return q.options[r].correct;
    case "multiple-response": return q.options.every((o, i) => o.correct === r.includes(i));
    case "matching": return q.pairs.every((p, i) => r[i] === p.right);
    case "ordering": return q.sequence.every((item, i) => r[i] === item);
    case "numeric": {
      const v = parseFloat(String(r).replace(/,/g, ""));
      return !Number.isNaN(v) && v >= q.numeric.low && v <= q.numeric.high;
    }
    default: return textMatches(String(r), [q.answer, ...q.accepted]);
  }
}

function feedback(q, right) {
  const box = el("div", {class: "feedback " + (right ? "right" : "wrong"), role: "status"});
  box.append(el("p", {class: "verdict", text: right ? "Correct" : "Not quite"}));
  box.append(el("p", {dir: "auto", text: "Answer: " + q.answer}));
  box.append(el("p", {dir: "auto", text: q.explanation}));
  q.citations.slice(0, 3).forEach(c => box.append(el("p", {class: "source", dir: "auto",
    text: "Source: " + c.text + (c.evidence ? ` — “${c.evidence}”` : "")})));
  return box;
}

function questionNode(q, n, total) {
  const node = el("section", {class: "question", "data-id": q.id});
  if (mode === "one") node.append(el("p", {class: "progress", text: `Question ${n + 1} of ${total}`}));
  node.append(el("h2", {dir: "auto"}, el("span", {class: "number", text: `${n + 1}.`}), q.prompt));
  node.append(inputsFor(q, n));
  const check = el("button", {type: "button", class: "check", text: "Check"});
  node.append(check);
  check.addEventListener("click", () => answer(q, node, n, check));
  return node;
}

function answer(q, node, n, button) {
  if (q.id in results && mode === "one") { next(); return; }
  const right = isCorrect(q, responseOf(q, node, n));
  results[q.id] = right;
  node.querySelectorAll("input, select").forEach(i => i.disabled = true);
  node.append(feedback(q, right));
  if (mode === "one") { button.textContent = position + 1 < queue.length ? "Next" : "See result"; button.focus(); }
  else { button.remove(); if (queue.every(x => x.id in results)) showSummary(); }
}

function next() { position += 1; if (position < queue.length) render(); else showSummary(); }

function render() {
  const main = document.getElementById("quiz");
  main.replaceChildren();
  document.getElementById("summary").hidden = true;
  if (mode === "one") {
    const node = questionNode(queue[position], position, queue.length);
    main.append(node);
    const first = node.querySelector("input, select, button");
    if (first) first.focus();
  } else {
    queue.forEach((q, i) => main.append(questionNode(q, i, queue.length)));
  }
}

function showSummary() {
  const right = queue.filter(q => results[q.id]).length;
  document.getElementById("score").textContent = `${right} of ${queue.length} correct`;
  document.getElementById("retry").hidden = right === queue.length;
  document.getElementById("summary").hidden = false;
  if (mode === "one") document.getElementById("quiz").replaceChildren();
  document.getElementById(right === queue.length ? "restart" : "retry").focus();
}

function start(questions) { queue = questions; position = 0; results = {}; render(); }

document.getElementById("retry").addEventListener("click", () => start(queue.filter(q => !results[q.id])));
document.getElementById("restart").addEventListener("click", () => start(ALL.slice()));
["one", "all"].forEach(m => document.getElementById("mode-" + m).addEventListener("click", () => {
  mode = m;
  document.getElementById("mode-one").setAttribute("aria-pressed", String(m === "one"));
  document.getElementById("mode-all").setAttribute("aria-pressed", String(m === "all"));
  start(queue.slice());
}));
document.addEventListener("keydown", event => {
  if (mode !== "one" || event.target.tagName === "SELECT") return;
  const node = document.querySelector(".question");
  if (!node) return;
  const q = queue[position];
  const key = event.key.toUpperCase();
  if (OPTION_TYPES.includes(q.type) && event.target.type !== "text") {
    const index = /^[1-9]$/.test(key) ? Number(key) - 1 : LETTERS.indexOf(key);
    const input = index >= 0 && node.querySelector(`input[value="${index}"]`);
    if (input && !input.disabled) {
      input.checked = input.type === "checkbox" ? !input.checked : true;  // a key ticks or unticks a box
      input.focus(); event.preventDefault(); return;
    }
  }
  if (event.key === "Enter" && event.target.tagName !== "BUTTON") { node.querySelector("button.check").click(); event.preventDefault(); }
});
start(ALL.slice());
