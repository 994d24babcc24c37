import { readCappedStream } from "../read-capped-stream";
import { handlePushWebhook, PUSH_BODY_MAX_BYTES, type PushDeps } from "./handle-push";

/** A declared oversized body is refused before reading; an undeclared one stops at the limit. */
export async function readCappedBody(req: Request, limit: number): Promise<Buffer | null> {
  const declared = Number(req.headers.get("content-length") ?? "0");
  if (declared > limit) return null;
  return readCappedStream(req.body, limit);
}

/** The HTTP side of a push webhook (Fetch API Request in, Response out), used by the Next route. */
export async function handlePushRequest(deps: PushDeps, input: { webhookId: string; request: Request }): Promise<Response> {
  const { webhookId, request: req } = input;
  const body = await readCappedBody(req, PUSH_BODY_MAX_BYTES);
  if (!body) return Response.json({ ok: false, message: "Payload too large." }, { status: 413 });
  try {
    const result = await handlePushWebhook(deps, { webhookId, header: (name) => req.headers.get(name), body });
    return Response.json(result.body, { status: result.status });
  } catch (err) {
    deps.log.error({ err }, "push webhook failed");
    // 5xx makes the vendor retry; the delivery id is only recorded once processing began.
    return Response.json({ ok: false, message: "Internal error; the delivery can be retried." }, { status: 500 });
  }
}
