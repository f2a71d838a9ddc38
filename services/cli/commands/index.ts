// Every sub-command of `siskin`, in help order. Each module exports `register(program)`.
import type { Command } from "commander";

export const commands: Array<(program: Command) => void> = [];
