/**
 * Redrawing a block of lines in place on a terminal: move the cursor back to the block's first
 * line, clear to the end of the screen, write the new block. Writes through `write` only.
 */

/** A region at the bottom of the terminal that is redrawn on every frame. */
export interface Screen {
  /** Replace the previous frame with `lines`. */
  draw(lines: readonly string[]): void;
  /** Leave the last frame on screen, show the cursor again. */
  close(): void;
}

const ESC = "\x1b[";

/**
 * A screen over `write`. `rows` (when known) caps a frame so a redraw never has to reach above the
 * top of the terminal, where the old frame could not be cleared.
 */
export function createScreen(write: (s: string) => void, rows: () => number | undefined = () => undefined): Screen {
  let previous = 0;
  let open = false;
  return {
    draw(lines) {
      const max = rows();
      const shown = max !== undefined && max > 1 && lines.length > max - 1 ? [...lines.slice(0, max - 2), `… ${lines.length - max + 2} more lines (enlarge the terminal)`] : lines;
      let out = open ? "" : `${ESC}?25l`;
      open = true;
      if (previous > 0) out += `${ESC}${previous}F${ESC}J`;
      out += shown.map((l) => `${l}${ESC}K\n`).join("");
      previous = shown.length;
      write(out);
    },
    close() {
      if (open) write(`${ESC}?25h`);
      open = false;
    },
  };
}
