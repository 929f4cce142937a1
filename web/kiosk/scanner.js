// A USB keyboard-wedge scanner types its payload as keystrokes and ends it with Enter or Tab. The
// page listens on the whole document, so a read never depends on which element has the focus.

/** Keys further apart than this are a person typing, not a scanner: the read starts over. */
const maximumGapMs = 300;

const ticketShaped = (text) => text.split("|").length === 4;

/**
 * Calls `onRead(text)` for each complete read. A scanner set to another keyboard layout than
 * the box's (a US scanner on a German layout) alters the payload; `garbled(text)` says whether a
 * read looks like that rather than like a ticket. In a text field a person types: a read there
 * counts only when `readInField(text)` says it has a scan's shape (a ticket's, by default).
 */
export function listen(onRead, { readInField = ticketShaped } = {}) {
  let buffer = "";
  let last = 0;
  document.addEventListener("keydown", (event) => {
    if (event.ctrlKey || event.altKey || event.metaKey) return;
    const now = performance.now();
    if (now - last > maximumGapMs) buffer = "";
    last = now;
    if (event.key === "Enter" || event.key === "Tab") {
      const typing = event.target instanceof HTMLInputElement && !readInField(buffer);
      if (buffer.length >= 4 && !typing) {
        event.preventDefault();
        const text = buffer;
        buffer = "";
        onRead(text);
      }
      return;
    }
    if (event.key.length === 1) buffer += event.key;
  }, { capture: true });
}

/**
 * A ticket is `event|attendee|token|tier`. A read with no `|` at all but the length of one is
 * what a keyboard-layout mismatch makes of it (`|` typed as `<`, `>` or `#`, y and z swapped).
 */
export function garbled(text) {
  if (ticketShaped(text)) return false;
  return !text.includes("|") && text.length >= 16;
}
