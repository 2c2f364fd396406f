// The pages' only script: runs the in-browser verification where a page carries evidence,
// and offers copy, print and save buttons next to a new receipt. Without JavaScript the
// pages still work; only these extras are missing (their buttons stay hidden).
import { verifyEvidence } from "./report.js";

const data = (id) => {
  const element = document.getElementById(id);
  return element ? JSON.parse(element.textContent) : null;
};
const fill = (template, facts) => template.replace(/\{(\w+)\}/g, (_, name) => facts[name] ?? "");

async function runVerification(section) {
  const evidence = data("lapor-evidence");
  const messages = data("lapor-messages");
  const status = section.querySelector("[data-verify-status]");
  let result;
  try {
    result = await verifyEvidence(evidence);
  } catch (error) {
    // only a browser without WebCrypto Ed25519 ends here; report it, never a pass
    result = { ok: false, failed: [], checks: [{ ok: false, key: "unavailable", facts: {} }] };
    result.checks[0].facts.detail = String(error && error.message ? error.message : error);
  }
  const list = section.querySelector("[data-verify-checks]");
  for (const check of result.checks) {
    const item = document.createElement("li");
    item.className = check.ok ? "check-pass" : "check-fail";
    const mark = document.createElement("span");
    mark.className = "mark";
    mark.textContent = check.ok ? "✔ " : "✘ ";
    mark.setAttribute("aria-hidden", "true");
    const words = document.createElement("span");
    const verdict = check.ok ? messages.ok : messages.not_ok;
    words.textContent = `${verdict}: ${fill(messages[check.key] || check.key, check.facts)}`;
    item.append(mark, words);
    if (check.facts.detail) {
      const code = document.createElement("code");
      code.textContent = check.facts.detail;
      item.append(" ", code);
    }
    list.append(item);
    markEntry(check, messages);
  }
  const named = result.failed.map((f) => fill(messages.entry_name, f)).join("; ");
  status.textContent = result.ok ? messages.passed : fill(messages.failed, { entries: named });
  section.dataset.state = result.ok ? "passed" : "failed";
  section.classList.add(result.ok ? "verified" : "not-verified");
}

// On the auditor's timeline, mark the row of each entry with its own result.
function markEntry(check, messages) {
  if (check.facts.version === undefined || !check.key.startsWith("entry")) return;
  const cell = document.querySelector(`[data-entry-version="${check.facts.version}"] [data-entry-check]`);
  if (cell) cell.textContent = check.ok ? `✔ ${messages.ok}` : `✘ ${messages.not_ok}`;
}

function receiptButtons() {
  for (const button of document.querySelectorAll("[data-copy], [data-print], [data-save]")) {
    button.hidden = false;
    button.addEventListener("click", () => {
      const target = document.getElementById(button.dataset.copy || button.dataset.save || "");
      if (button.dataset.print !== undefined) window.print();
      else if (button.dataset.copy) navigator.clipboard.writeText(target.textContent.trim());
      else save(target.textContent.trim() + "\n", button.dataset.filename);
      const done = button.dataset.done;
      if (done) document.getElementById("receipt-action-status").textContent = done;
    });
  }
}

// A file made in the browser from text already on the page: the receipt never enters a URL
// that could be logged (a blob: URL names a memory object, not its content).
function save(text, filename) {
  const url = URL.createObjectURL(new Blob([text], { type: "text/plain" }));
  const link = Object.assign(document.createElement("a"), { href: url, download: filename });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

const section = document.querySelector("[data-verify]");
if (section) runVerification(section);
receiptButtons();
