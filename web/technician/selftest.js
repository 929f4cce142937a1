// The scanner self-test: the technician scans a code shown on screen whose payload holds what a
// wrong keyboard country alters, and the page says what the scanner did: the exact text, or the
// layout it types in, a missing Enter or Tab suffix, keys too slow to be told from a person.
// Keystrokes are read raw while the test runs, so nothing of the kiosk's own parsing hides a fault.

/** Keys further apart than this split a read (the kiosk's scanner module uses the same gap). */
const maximumGapMs = 300;
/** A read with no suffix is taken as ended after this long without a key. */
const suffixWaitMs = 800;

/**
 * The payload's `yzYZ` arrives as `zyZY` from a scanner set to US on a German (QWERTZ) layout,
 * as `ywYW` on a French (AZERTY) one, where the digits also come as `&é"'(`.
 * Findings as `[key, values, pass]`: message keys of the technician catalog.
 */
export function diagnose(expected, read) {
  const findings = [];
  const { text, suffix, maxGapMs, durationMs } = read;
  const perSecond = durationMs > 0 ? Math.round((text.length * 1000) / durationMs) : text.length;
  if (text === expected) {
    findings.push(["scan_exact", {}, true]);
  } else if (text.includes("zyZY")) {
    findings.push(["scan_layout_de", {}, false]);
  } else if (text.includes("ywYW") || text.includes("&é\"'(")) {
    findings.push(["scan_layout_fr", {}, false]);
  } else if (text.length === expected.length) {
    findings.push(["scan_altered", { got: text }, false]);
  } else {
    findings.push(["scan_partial", { got: text, count: text.length, expected: expected.length }, false]);
  }
  findings.push(suffix ? ["scan_suffix", { key: suffix }, true] : ["scan_no_suffix", {}, false]);
  findings.push(maxGapMs > maximumGapMs
    ? ["scan_slow", { gap: Math.round(maxGapMs), limit: maximumGapMs }, false]
    : ["scan_speed", { rate: perSecond }, true]);
  return findings;
}

/**
 * Reads one scan raw: resolves with `{text, suffix, maxGapMs, durationMs}` once Enter or Tab
 * comes, or `suffixWaitMs` after the last key when none does. `signal` aborts (resolves null).
 */
export function readOnce(signal) {
  return new Promise((resolve) => {
    let text = "";
    let first = 0;
    let last = 0;
    let maxGapMs = 0;
    let idle = 0;
    const finish = (suffix) => {
      clearTimeout(idle);
      document.removeEventListener("keydown", onKey, { capture: true });
      resolve(signal?.aborted ? null : { text, suffix, maxGapMs, durationMs: last - first });
    };
    const onKey = (event) => {
      if (event.ctrlKey || event.altKey || event.metaKey) return;
      event.preventDefault();
      event.stopImmediatePropagation();
      const now = performance.now();
      if (event.key === "Enter" || event.key === "Tab") {
        if (text) finish(event.key);
        return;
      }
      if (event.key.length !== 1) return;
      if (text) maxGapMs = Math.max(maxGapMs, now - last); else first = now;
      last = now;
      text += event.key;
      clearTimeout(idle);
      idle = setTimeout(() => finish(null), suffixWaitMs);
    };
    document.addEventListener("keydown", onKey, { capture: true });
    signal?.addEventListener("abort", () => finish(null), { once: true });
  });
}
