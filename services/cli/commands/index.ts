// Every sub-command of `siskin`, in help order. Each module exports `register(program)`.
import type { Command } from "commander";
import { register as routePlan } from "./route-plan.js";

export const commands: Array<(program: Command) => void> = [routePlan];
