"use client";

import { useMutation, useQuery } from "@tanstack/react-query";
import { useRouter } from "next/navigation";
import { useTRPC } from "@/lib/trpc/client";
import { ConfirmButton } from "@/components/apps/confirm-button";

export function DangerZone({ appId }: { appId: number }) {
  const trpc = useTRPC();
  const router = useRouter();
  const app = useQuery(trpc.apps.get.queryOptions({ appId }));
  const remove = useMutation(trpc.apps.delete.mutationOptions({ onSuccess: () => router.push("/apps") }));
  if (!app.data) return null;
  const name = app.data.name;
  return (
    <section aria-label="Danger zone" className="rounded-lg border border-bad/50 p-4">
      <h2 className="font-medium text-bad">Danger zone</h2>
      <div className="mt-3 flex flex-wrap items-center justify-between gap-3">
        <p className="text-sm text-muted">Delete the app: it stops, its domains are released and it disappears from the dashboard.</p>
        <ConfirmButton
          label="Delete app"
          title={`Delete ${name}?`}
          description="Queued jobs are cancelled and the worker removes the running app. This cannot be undone."
          confirmLabel="Delete app"
          typeToConfirm={name}
          danger
          onConfirm={() => remove.mutateAsync({ appId })}
        />
      </div>
      {app.data.workerId === null ? (
      <div className="mt-3 flex flex-wrap items-center justify-between gap-3 border-t border-bad/30 pt-3">
        <p className="text-sm text-muted">Never deployed to a worker, so it can be erased at once, with its deployments, env vars and logs.</p>
        <ConfirmButton
          label="Delete permanently"
          title={`Permanently delete ${name}?`}
          description="Everything about this app is erased at once. This cannot be undone."
          confirmLabel="Erase app"
          typeToConfirm={name}
          danger
          onConfirm={() => remove.mutateAsync({ appId, hard: true })}
        />
      </div>
      ) : null}
      {remove.error ? <p role="alert" className="mt-2 text-sm text-bad">{remove.error.message}</p> : null}
    </section>
  );
}
