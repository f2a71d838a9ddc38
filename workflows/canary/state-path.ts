/** A state value as a dotted path (`step.analyzing`), as audit entries and statuses show it. */
export type StateValueLike = string | { [key: string]: StateValueLike | undefined };

export function statePath(value: StateValueLike): string {
  if (typeof value === "string") return value;
  const [key, child] = Object.entries(value)[0] ?? ["", undefined];
  if (child === undefined) return key;
  const rest = statePath(child);
  return rest === "" ? key : `${key}.${rest}`;
}
