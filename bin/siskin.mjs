#!/usr/bin/env node
// The `siskin` command: loads the TypeScript CLI through tsx in this process (no build step), so
// signals reach the workers directly (as PID 1 in a container, SIGTERM drains them).
// A development checkout has sim/ beside the product: its entry adds `siskin sim …` and `siskin demo`.
// An image or a package holds no sim/, so the product's entry runs.
import { existsSync } from "node:fs";
import { register } from "tsx/esm/api";

register();
const dev = new URL("../sim/cli/main.ts", import.meta.url);
if (existsSync(dev)) {
  const { runDevCli } = await import(dev.href);
  await runDevCli(process.argv);
} else {
  const { runCli } = await import("../services/cli/main.ts");
  await runCli(process.argv);
}
