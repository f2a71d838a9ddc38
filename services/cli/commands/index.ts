// Every sub-command of `siskin`, in help order. Each module exports `register(program)`.
import type { Command } from "commander";
import { register as routePlan } from "./route-plan.js";
import { register as simMesh } from "./sim-mesh.js";
import { register as simCluster } from "./sim-cluster.js";
import { register as simPeople } from "./sim-people.js";

export const commands: Array<(program: Command) => void> = [routePlan, simMesh, simCluster, simPeople];
