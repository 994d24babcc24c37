"use client";

import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { ErrorState, Loading, Panel } from "@/components/apps/query-states";
import { useTRPC } from "@/lib/trpc/client";
import { ruleUpdateSchema } from "@/server/alerts/alert-rule-schema";

interface RuleView {
  metric: "cpu" | "memory" | "network" | "disk" | "offline";
  threshold: number;
  sustainMinutes: number;
  enabled: boolean;
  unit: string;
  label: string;
  min: number;
  max: number;
  sustainMin: number;
  sustainMax: number;
}

function RuleRow({ appId, rule }: { appId: number; rule: RuleView }) {
  const trpc = useTRPC();
  const queryClient = useQueryClient();
  const [threshold, setThreshold] = useState(String(rule.threshold));
  const [sustain, setSustain] = useState(String(rule.sustainMinutes));
  const [enabled, setEnabled] = useState(rule.enabled);
  const [errors, setErrors] = useState<{ threshold?: string; sustainMinutes?: string }>({});
  const [saved, setSaved] = useState(false);
  const save = useMutation(
    trpc.alerts.updateRule.mutationOptions({
      onSuccess: (rules) => {
        queryClient.setQueryData(trpc.alerts.rules.queryKey({ appId }), rules);
        setSaved(true);
      },
    }),
  );
  const id = `rule-${rule.metric}`;

  function submit(e: FormEvent) {
    e.preventDefault();
    setSaved(false);
    const parsed = ruleUpdateSchema.safeParse({ metric: rule.metric, threshold: threshold === "" ? Number.NaN : Number(threshold), sustainMinutes: Number(sustain), enabled });
    if (!parsed.success) {
      const next: typeof errors = {};
      for (const issue of parsed.error.issues) {
        const field = issue.path[0] === "sustainMinutes" ? "sustainMinutes" : "threshold";
        next[field] ??= issue.message;
      }
      setErrors(next);
      return;
    }
    setErrors({});
    save.mutate({ appId, rule: parsed.data });
  }

  return (
    <form onSubmit={submit} className="grid items-start gap-3 border-t border-line py-3 sm:grid-cols-[8rem_1fr_1fr_auto]" data-testid={id} noValidate>
      <label className="flex items-center gap-2 pt-1.5 text-sm">
        <input type="checkbox" checked={enabled} onChange={(e) => setEnabled(e.target.checked)} />
        <span className="font-medium">{rule.label}</span>
      </label>
      <label className="flex flex-col gap-1 text-sm">
        <span className="text-xs text-muted">{rule.metric === "offline" ? "Silent for at least" : "Alert at or above"} ({rule.unit})</span>
        <input
          name="threshold"
          inputMode="decimal"
          value={threshold}
          onChange={(e) => setThreshold(e.target.value)}
          aria-invalid={errors.threshold ? true : undefined}
          aria-describedby={`${id}-threshold-error`}
          className="rounded-md border border-line bg-surface px-2 py-1"
        />
        <span id={`${id}-threshold-error`} role={errors.threshold ? "alert" : undefined} className="text-xs text-bad">{errors.threshold ?? ""}</span>
      </label>
      <label className="flex flex-col gap-1 text-sm">
        <span className="text-xs text-muted">For (minutes, {rule.sustainMin}–{rule.sustainMax})</span>
        <input
          name="sustain"
          inputMode="numeric"
          value={sustain}
          onChange={(e) => setSustain(e.target.value)}
          aria-invalid={errors.sustainMinutes ? true : undefined}
          aria-describedby={`${id}-sustain-error`}
          className="rounded-md border border-line bg-surface px-2 py-1"
        />
        <span id={`${id}-sustain-error`} role={errors.sustainMinutes ? "alert" : undefined} className="text-xs text-bad">{errors.sustainMinutes ?? ""}</span>
      </label>
      <div className="flex flex-col items-end gap-1 pt-4">
        <button type="submit" disabled={save.isPending} className="rounded-md border border-line px-3 py-1 text-sm hover:bg-panel-2 disabled:opacity-50">
          {save.isPending ? "Saving…" : "Save"}
        </button>
        {saved ? <span role="status" className="text-xs text-ok">Saved</span> : null}
        {save.error ? <span role="alert" className="text-xs text-bad">{save.error.message}</span> : null}
      </div>
    </form>
  );
}

/** Per-app alert rules: on/off, threshold within the metric's range, and how long it must last. */
export function AlertRulesEditor({ appId }: { appId: number }) {
  const trpc = useTRPC();
  const rules = useQuery(trpc.alerts.rules.queryOptions({ appId }));
  return (
    <Panel title="Alert rules">
      <p className="mb-2 text-sm text-muted">
        An alert fires when a metric stays at or above its threshold for the whole period, and resolves after it stays below for as long. Disk is I/O throughput; offline means no stats or worker heartbeat.
      </p>
      {rules.isPending ? (
        <Loading what="alert rules" />
      ) : rules.isError ? (
        <ErrorState error={rules.error} what="alert rules" />
      ) : (
        <div>
          {rules.data.map((r) => (
            <RuleRow key={r.metric} appId={appId} rule={r} />
          ))}
        </div>
      )}
    </Panel>
  );
}
