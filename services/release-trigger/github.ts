/** GitHub webhook deliveries: signature (`X-Hub-Signature-256`) and body decoding. */
import { verify } from "@octokit/webhooks-methods";

/** Why a delivery's signature was refused, or `ok`. */
export type SignatureCheck = { ok: true } | { ok: false; reason: string };

/**
 * Check `X-Hub-Signature-256` (`sha256=<hex HMAC-SHA256(secret, raw body)>`) over the exact raw body,
 * in constant time. The raw body must be the bytes GitHub sent: re-serialized JSON differs.
 */
export async function checkGithubSignature(secret: string, rawBody: string, header: string | undefined): Promise<SignatureCheck> {
  if (header === undefined || header === "") return { ok: false, reason: "missing X-Hub-Signature-256 header" };
  if (!/^sha256=[0-9a-f]{64}$/i.test(header)) return { ok: false, reason: "X-Hub-Signature-256 is not sha256=<64 hex>" };
  // GitHub never sends an empty body, and verify() throws on one (found by the fuzzer: it was a 500).
  if (rawBody === "") return { ok: false, reason: "the delivery has an empty body" };
  const valid = await verify(secret, rawBody, header);
  return valid ? { ok: true } : { ok: false, reason: "X-Hub-Signature-256 does not match the body" };
}

/** A decoded body, or why it could not be decoded. */
export type DecodedBody = { ok: true; payload: unknown } | { ok: false; reason: string };

/**
 * Decode a delivery body: `application/json`, or `application/x-www-form-urlencoded` with the JSON in
 * the `payload` field (GitHub's "form" content type).
 */
export function decodeGithubBody(rawBody: string, contentType: string | undefined): DecodedBody {
  let json = rawBody;
  if ((contentType ?? "").toLowerCase().startsWith("application/x-www-form-urlencoded")) {
    const field = new URLSearchParams(rawBody).get("payload");
    if (field === null) return { ok: false, reason: "form body has no payload field" };
    json = field;
  }
  try {
    return { ok: true, payload: JSON.parse(json) as unknown };
  } catch (err) {
    return { ok: false, reason: `body is not JSON: ${(err as Error).message}` };
  }
}
