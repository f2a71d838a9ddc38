#!/usr/bin/env node
// The `siskin` command: loads the TypeScript CLI through tsx in this process (no build step), so
// signals reach the workers directly (as PID 1 in a container, SIGTERM drains them).
import { register } from "tsx/esm/api";

register();
const { runCli } = await import("../services/cli/main.ts");
await runCli(process.argv);
