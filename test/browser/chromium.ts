/** Where Debian's chromium is (scripts/setup.sh installs it); playwright-core drives it, never a downloaded build. */
import { existsSync } from "node:fs";

/** The chromium binary: `$CHROMIUM_PATH`, else Debian's; throws naming the install step when missing. */
export function chromiumPath(): string {
  const candidates = [process.env.CHROMIUM_PATH, "/usr/bin/chromium", "/usr/bin/chromium-browser"].filter((p): p is string => p !== undefined && p !== "");
  const found = candidates.find((p) => existsSync(p));
  if (found === undefined) throw new Error(`no chromium at ${candidates.join(", ")}; install it with: apt-get install -y chromium (scripts/setup.sh does)`);
  return found;
}
