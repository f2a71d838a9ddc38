// Kubernetes `Status` bodies, built the way k8s.io/apimachinery/pkg/api/errors builds them, so clients
// (kubectl's error printer, client-node's ApiException) see exactly what a real API server sends.

/** A `metav1.StatusCause`. */
export interface StatusCause {
  reason?: string;
  message?: string;
  field?: string;
}

/** A `metav1.Status` body. */
export interface StatusBody {
  kind: "Status";
  apiVersion: "v1";
  metadata: Record<string, never>;
  status: "Failure" | "Success";
  message?: string;
  reason?: string;
  details?: { name?: string; group?: string; kind?: string; uid?: string; causes?: StatusCause[] };
  code: number;
}

/** A request that failed with a Kubernetes Status; the HTTP layer sends `status` with code `status.code`. */
export class ApiError extends Error {
  readonly status: StatusBody;
  constructor(status: StatusBody) {
    super(status.message ?? status.reason ?? `HTTP ${status.code}`);
    this.name = "ApiError";
    this.status = status;
  }
  get code(): number {
    return this.status.code;
  }
  get reason(): string | undefined {
    return this.status.reason;
  }
}

/** A group and a resource (plural), e.g. `{group:"kubevirt.io", resource:"virtualmachines"}`. */
export interface GroupResource {
  group: string;
  resource: string;
}

/** `virtualmachines.kubevirt.io`, or `pods` for the core group. */
export function qualifiedResource(gr: GroupResource): string {
  return gr.group === "" ? gr.resource : `${gr.resource}.${gr.group}`;
}

function failure(code: number, reason: string, message: string, details?: StatusBody["details"]): ApiError {
  const body: StatusBody = { kind: "Status", apiVersion: "v1", metadata: {}, status: "Failure", message, reason, code };
  if (details !== undefined) body.details = compact(details);
  return new ApiError(body);
}

function compact(details: NonNullable<StatusBody["details"]>): NonNullable<StatusBody["details"]> {
  const out: NonNullable<StatusBody["details"]> = {};
  if (details.name) out.name = details.name;
  if (details.group) out.group = details.group;
  if (details.kind) out.kind = details.kind;
  if (details.uid) out.uid = details.uid;
  if (details.causes && details.causes.length > 0) out.causes = details.causes;
  return out;
}

/** 404 `pods "x" not found`. */
export function notFound(gr: GroupResource, name: string): ApiError {
  return failure(404, "NotFound", `${qualifiedResource(gr)} "${name}" not found`, {
    name,
    group: gr.group,
    kind: gr.resource,
  });
}

/** 409 `... "x" already exists`. */
export function alreadyExists(gr: GroupResource, name: string): ApiError {
  return failure(409, "AlreadyExists", `${qualifiedResource(gr)} "${name}" already exists`, {
    name,
    group: gr.group,
    kind: gr.resource,
  });
}

/** The optimistic-concurrency message of the real server. */
export const modifiedMessage = "the object has been modified; please apply your changes to the latest version and try again";

/** 409 `Operation cannot be fulfilled on ... "x": <why>`. */
export function conflict(gr: GroupResource, name: string, why: string = modifiedMessage): ApiError {
  return failure(409, "Conflict", `Operation cannot be fulfilled on ${qualifiedResource(gr)} "${name}": ${why}`, {
    name,
    group: gr.group,
    kind: gr.resource,
  });
}

/** One field error, as field.Error renders it. */
export interface FieldError {
  field: string;
  type:
    | "FieldValueInvalid"
    | "FieldValueRequired"
    | "FieldValueForbidden"
    | "FieldValueNotSupported"
    | "FieldValueTooLong"
    | "FieldValueTooMany"
    | "FieldValueDuplicate";
  /** The ErrorBody, e.g. `Invalid value: "X": a lowercase RFC 1123 ...`. */
  body: string;
}

/** 422 `Kind.group "x" is invalid: field: body, ...` with details.causes naming each field. */
export function invalid(group: string, kind: string, name: string, errors: FieldError[]): ApiError {
  const gk = group === "" ? kind : `${kind}.${group}`;
  const rendered = errors.map((e) => `${e.field}: ${e.body}`);
  const agg = rendered.length === 1 ? rendered[0] : `[${rendered.join(", ")}]`;
  return failure(422, "Invalid", `${gk} "${name}" is invalid: ${agg}`, {
    name,
    group,
    kind,
    causes: errors.map((e) => ({ reason: e.type, message: e.body, field: e.field })),
  });
}

/** 422 from a JSON patch that could not be applied (e.g. a failed `test`), as NewGenericServerResponse. */
export function patchUnprocessable(cause: string): ApiError {
  return failure(422, "Invalid", "the server rejected our request due to an error in our request", {
    causes: [{ message: cause }],
  });
}

/** 400 for fields a CRD's schema does not declare, under `fieldValidation=Strict` (the decoder's words). */
export function strictDecoding(kind: string, version: string, fields: readonly string[]): ApiError {
  const unknown = fields.map((f) => `unknown field "${f}"`).join(", ");
  return failure(400, "BadRequest", `${kind} in version "${version}" cannot be handled as a ${kind}: strict decoding error: ${unknown}`);
}

/** 400 BadRequest with the given message. */
export function badRequest(message: string): ApiError {
  return failure(400, "BadRequest", message);
}

/** 415 for a patch type the resource does not accept. */
export function unsupportedMediaType(accepted: readonly string[]): ApiError {
  return failure(
    415,
    "UnsupportedMediaType",
    `the body of the request was in an unknown format - accepted media types include: ${accepted.join(", ")}`,
  );
}

/** 405 `<action> is not supported on resources of kind "x"`. */
export function methodNotSupported(gr: GroupResource, action: string): ApiError {
  return failure(405, "MethodNotAllowed", `${action} is not supported on resources of kind "${qualifiedResource(gr)}"`, {
    group: gr.group,
    kind: gr.resource,
  });
}

/** 404 for a path the server does not serve. */
export function pathNotFound(): ApiError {
  return failure(404, "NotFound", "the server could not find the requested resource", {});
}

/** 410 Expired for a watch or continue from a compacted resourceVersion. */
export function expired(message: string): ApiError {
  return failure(410, "Expired", message);
}

/** 500 InternalError wrapping an unexpected exception. */
export function internalError(err: unknown): ApiError {
  const message = err instanceof Error ? err.message : String(err);
  return failure(500, "InternalError", `Internal error occurred: ${message}`, { causes: [{ message }] });
}
