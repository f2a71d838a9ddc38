// A tiny terminal emulator for tests (not a test file): replays what a program wrote to a
// terminal (CR, LF, cursor moves, erase) and returns the screen as text, colors dropped.

/** The screen after `output`, one string per row, trailing spaces trimmed, trailing empty rows dropped. */
export function screenOf(output: string, cols = 200): string[] {
  const rows: string[][] = [[]];
  let r = 0;
  let c = 0;
  const row = (i: number) => {
    while (rows.length <= i) rows.push([]);
    return rows[i] as string[];
  };
  const chars = [...output];
  for (let i = 0; i < chars.length; i++) {
    const ch = chars[i] as string;
    if (ch === "\x1b") {
      if (chars[i + 1] !== "[") {
        i++;
        continue;
      }
      let j = i + 2;
      let params = "";
      while (j < chars.length && !/[A-Za-z]/.test(chars[j] as string)) params += chars[j++];
      const final = chars[j];
      i = j;
      const n = Number(params.replace("?", "").split(";")[0] || "0");
      const count = n === 0 ? 1 : n;
      switch (final) {
        case "A": r = Math.max(0, r - count); break;
        case "B": r += count; break;
        case "C": c += count; break;
        case "D": c = Math.max(0, c - count); break;
        case "E": r += count; c = 0; break;
        case "F": r = Math.max(0, r - count); c = 0; break;
        case "G": c = count - 1; break;
        case "H": {
          const [y, x] = params.split(";").map((s) => Number(s || "1"));
          r = (y ?? 1) - 1;
          c = (x ?? 1) - 1;
          break;
        }
        case "J":
          if (n === 2) rows.splice(0, rows.length, []);
          else {
            row(r).length = Math.min(row(r).length, c);
            rows.length = r + 1;
          }
          break;
        case "K":
          row(r).length = Math.min(row(r).length, c);
          break;
        default:
          break; // colors (m), cursor visibility (?25l/h): nothing on the text
      }
      continue;
    }
    if (ch === "\r") { c = 0; continue; }
    // A terminal (pty) in its default mode turns LF into CR LF (onlcr).
    if (ch === "\n") { r++; c = 0; row(r); continue; }
    if (c >= cols) { r++; c = 0; }
    const line = row(r);
    while (line.length < c) line.push(" ");
    line[c] = ch;
    c++;
  }
  const text = rows.map((l) => l.join("").trimEnd());
  while (text.length > 0 && text[text.length - 1] === "") text.pop();
  return text;
}
