import { z } from "zod";
import { appIdInput, lockOwnedApp, requireOwnedApp, type AppRef, type Tx } from "../apps/app-access";
import { recordAuditEvent } from "../audit/record-audit-event";
import type { Actor } from "../auth/actor";
import { cipherContext } from "../crypto/secret-cipher";
import { notFound, validation } from "../errors/domain-errors";
import type { Services } from "../runtime/services";
import { envKeyInput, envValueInput } from "./env-var-rules";
import { DOTENV_MAX_BYTES, parseDotenv, type DotenvLineError } from "./parse-dotenv";
import { writeEnvVars } from "./write-env-vars";

export const MASK = "••••••••";

type Deps = Pick<Services, "db" | "cipher">;
type Caller = Pick<Actor, "userId" | "team" | "audit">;

export const envVarKeyInput = appIdInput.extend({ key: z.string().min(1).max(200) });
export const importDotenvInput = appIdInput.extend({ text: z.string().max(1024 * 1024) });

/** Values are masked; `reveal` returns one value on request. */
export async function listEnvVars(deps: Pick<Services, "db">, actor: Pick<Actor, "userId" | "team">, { appId }: AppRef) {
  await requireOwnedApp(deps.db, actor, appId);
  const rows = await deps.db.appEnvVar.findMany({ where: { appId }, orderBy: { key: "asc" } });
  return rows.map((r) => ({ key: r.key, maskedValue: MASK, updatedAt: r.updatedAt }));
}

export async function revealEnvVar(deps: Deps, actor: Pick<Actor, "userId" | "team">, { appId, key }: z.infer<typeof envVarKeyInput>) {
  await requireOwnedApp(deps.db, actor, appId);
  const row = await deps.db.appEnvVar.findUnique({ where: { appId_key: { appId, key } } });
  if (!row) throw notFound(`Env var ${key}`);
  return { key, value: deps.cipher.decrypt(row.value, cipherContext.envVar(appId, key)) };
}

export const setEnvVarInput = z.object({ appId: z.number().int(), key: envKeyInput, value: envValueInput });

export async function setEnvVar(deps: Deps, actor: Caller, input: z.infer<typeof setEnvVarInput>) {
  await deps.db.$transaction(async (tx: Tx) => {
    await lockOwnedApp(tx, actor, input.appId);
    await writeEnvVars(tx, deps.cipher, input.appId, [{ key: input.key, value: input.value }]);
  });
  await recordAuditEvent(deps.db, {
    userId: actor.userId,
    kind: "env_set",
    context: actor.audit,
    targetType: "app",
    targetId: input.appId,
    metadata: { keys: [input.key] },
  });
  return { key: input.key, appliesOnNextDeploy: true };
}

export async function deleteEnvVar(deps: Pick<Services, "db">, actor: Caller, { appId, key }: z.infer<typeof envVarKeyInput>) {
  const deleted = await deps.db.$transaction(async (tx: Tx) => {
    await lockOwnedApp(tx, actor, appId);
    return tx.appEnvVar.deleteMany({ where: { appId, key } });
  });
  if (deleted.count === 0) throw notFound(`Env var ${key}`);
  await recordAuditEvent(deps.db, {
    userId: actor.userId,
    kind: "env_delete",
    context: actor.audit,
    targetType: "app",
    targetId: appId,
    metadata: { keys: [key] },
  });
  return { key };
}

export type ImportResult =
  | { ok: true; keys: string[] }
  | { ok: false; errors: DotenvLineError[] };

/**
 * Applies pasted `.env` text all-or-nothing: any bad line means nothing is written and every bad
 * line is reported, so the user fixes the paste and loses nothing.
 */
export async function importDotenv(deps: Deps, actor: Caller, { appId, text }: z.infer<typeof importDotenvInput>): Promise<ImportResult> {
  if (Buffer.byteLength(text, "utf8") > DOTENV_MAX_BYTES) {
    throw validation(`The pasted text is too large (at most ${DOTENV_MAX_BYTES / 1024} KiB).`);
  }
  await requireOwnedApp(deps.db, actor, appId);
  const parsed = parseDotenv(text);
  if (parsed.errors.length > 0) return { ok: false, errors: parsed.errors };
  if (parsed.entries.length === 0) throw validation("No KEY=value lines found in the pasted text.");
  await deps.db.$transaction(async (tx: Tx) => {
    await lockOwnedApp(tx, actor, appId);
    await writeEnvVars(tx, deps.cipher, appId, parsed.entries);
  });
  const keys = parsed.entries.map((e) => e.key);
  await recordAuditEvent(deps.db, {
    userId: actor.userId,
    kind: "env_set",
    context: actor.audit,
    targetType: "app",
    targetId: appId,
    metadata: { keys, source: "dotenv" },
  });
  return { ok: true, keys };
}
