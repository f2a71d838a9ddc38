// Name and metadata validation with the messages of k8s.io/apimachinery/pkg/util/validation, so a 422 from
// the simulator reads like one from a real API server. Pure.
import type { FieldError } from "./status.js";
import type { ObjectMeta } from "./types.js";

/** Which rule an object's name follows. */
export const NameRule = {
  /** DNS-1123 subdomain: most objects and every custom resource. */
  subdomain: "subdomain",
  /** DNS-1123 label: namespaces. */
  label: "label",
  /** DNS-1035 label: services. */
  dns1035: "dns1035",
} as const;
export type NameRule = (typeof NameRule)[keyof typeof NameRule];

const labelFmt = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
const subdomainFmt = `${labelFmt}(\\.${labelFmt})*`;
const dns1035Fmt = "[a-z]([-a-z0-9]*[a-z0-9])?";
const qualifiedNameFmt = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
const labelValueFmt = `(${qualifiedNameFmt})?`;

function regexError(msg: string, fmt: string, ...examples: string[]): string {
  return `${msg} (e.g. ${examples.map((e) => `'${e}', `).join(" or ")}regex used for validation is '${fmt}')`;
}

const maxLen = (n: number): string => `must be no more than ${n} characters`;

/** Error details for a DNS-1123 label (empty when valid). */
export function dns1123Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLen(63));
  if (!new RegExp(`^${labelFmt}$`).test(value)) {
    errs.push(
      regexError(
        "a lowercase RFC 1123 label must consist of lower case alphanumeric characters or '-', and must start and end with an alphanumeric character",
        labelFmt,
        "my-name",
        "123-abc",
      ),
    );
  }
  return errs;
}

/** Error details for a DNS-1123 subdomain (empty when valid). */
export function dns1123Subdomain(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 253) errs.push(maxLen(253));
  if (!new RegExp(`^${subdomainFmt}$`).test(value)) {
    errs.push(
      regexError(
        "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric characters, '-' or '.', and must start and end with an alphanumeric character",
        subdomainFmt,
        "example.com",
      ),
    );
  }
  return errs;
}

/** Error details for a DNS-1035 label (empty when valid). */
export function dns1035Label(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLen(63));
  if (!new RegExp(`^${dns1035Fmt}$`).test(value)) {
    errs.push(
      regexError(
        "a DNS-1035 label must consist of lower case alphanumeric characters or '-', start with an alphabetic character, and end with an alphanumeric character",
        dns1035Fmt,
        "my-name",
        "abc-123",
      ),
    );
  }
  return errs;
}

/** Error details for a name under the given rule, including the path-segment rules. */
export function validateName(rule: NameRule, name: string): string[] {
  const segment: string[] = [];
  if (name === "." || name === "..") segment.push(`may not be '${name}'`);
  if (name.includes("/")) segment.push("may not contain '/'");
  if (name.includes("%")) segment.push("may not contain '%'");
  const ruleErrs =
    rule === NameRule.label ? dns1123Label(name) : rule === NameRule.dns1035 ? dns1035Label(name) : dns1123Subdomain(name);
  return [...segment, ...ruleErrs];
}

/** Error details for a label/annotation key (a qualified name with an optional DNS prefix). */
export function qualifiedName(value: string): string[] {
  const parts = value.split("/");
  let name = value;
  const errs: string[] = [];
  if (parts.length === 2) {
    const prefix = parts[0] ?? "";
    name = parts[1] ?? "";
    if (prefix.length === 0) errs.push("prefix part must be non-empty");
    else errs.push(...dns1123Subdomain(prefix).map((e) => `prefix part ${e}`));
  } else if (parts.length > 2) {
    return [
      regexError(
        "a qualified name must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        qualifiedNameFmt,
        "MyName",
        "my.name",
        "123-abc",
      ) + " with an optional DNS subdomain prefix and '/' (e.g. 'example.com/MyName')",
    ];
  }
  if (name.length === 0) errs.push("name part must be non-empty");
  else if (name.length > 63) errs.push(`name part ${maxLen(63)}`);
  if (name.length > 0 && !new RegExp(`^${qualifiedNameFmt}$`).test(name)) {
    errs.push(
      `name part ${regexError(
        "must consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        qualifiedNameFmt,
        "MyName",
        "my.name",
        "123-abc",
      )}`,
    );
  }
  return errs;
}

/** Error details for a label value (empty when valid). */
export function labelValue(value: string): string[] {
  const errs: string[] = [];
  if (value.length > 63) errs.push(maxLen(63));
  if (!new RegExp(`^${labelValueFmt}$`).test(value)) {
    errs.push(
      regexError(
        "a valid label must be an empty string or consist of alphanumeric characters, '-', '_' or '.', and must start and end with an alphanumeric character",
        labelValueFmt,
        "MyValue",
        "my_value",
        "12345",
      ),
    );
  }
  return errs;
}

const invalidValue = (field: string, value: string, detail: string): FieldError => ({
  field,
  type: "FieldValueInvalid",
  body: `Invalid value: ${JSON.stringify(value)}: ${detail}`,
});

/** Field errors in metadata: name (required, format), label keys and values, annotation keys. */
export function validateObjectMeta(meta: ObjectMeta, rule: NameRule): FieldError[] {
  const errs: FieldError[] = [];
  const name = meta.name ?? "";
  if (name === "") {
    errs.push({ field: "metadata.name", type: "FieldValueRequired", body: "Required value: name or generateName is required" });
  } else {
    for (const detail of validateName(rule, name)) errs.push(invalidValue("metadata.name", name, detail));
  }
  for (const [key, value] of Object.entries(meta.labels ?? {})) {
    for (const detail of qualifiedName(key)) errs.push(invalidValue("metadata.labels", key, detail));
    if (typeof value !== "string") {
      errs.push(invalidValue("metadata.labels", String(value), "label values must be strings"));
      continue;
    }
    for (const detail of labelValue(value)) errs.push(invalidValue("metadata.labels", value, detail));
  }
  for (const key of Object.keys(meta.annotations ?? {})) {
    for (const detail of qualifiedName(key.toLowerCase())) errs.push(invalidValue("metadata.annotations", key, detail));
  }
  return errs;
}
