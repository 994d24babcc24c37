import type { PlanSummary } from "@/server/plans/plan-summary";
import { ScrollX } from "@/components/scroll-x";

function apps(maxApps: number): string {
  return maxApps === 0 ? "unlimited" : String(maxApps);
}

/**
 * The "upgrade" prompt at the plan's app limit: every plan side by side and who changes it. A
 * team's plan is set by the platform's operator (PLANS_JSON in .env.example names the plans), so
 * there is no self-service page to link to.
 */
export function PlanChoices({ plans, current, teamName }: { plans: PlanSummary[]; current: string; teamName: string | null }) {
  return (
    <div data-testid="plan-choices" className="space-y-2 rounded-lg border border-line bg-panel p-3 text-sm">
      <p>
        To run more apps, move {teamName ? <strong>{teamName}</strong> : "your team"} to a larger plan. Plans are changed by this platform&apos;s
        administrators: ask the person who runs WiseHosting for you (team members ask their team&apos;s owner to request it). Until then, delete an
        app you no longer need.
      </p>
      <ScrollX label="Plans">
        <table className="w-full text-left text-xs">
          <thead className="text-muted">
            <tr>
              <th scope="col" className="py-1">Plan</th>
              <th scope="col">Apps</th>
              <th scope="col">Per app</th>
              <th scope="col">Builds</th>
            </tr>
          </thead>
          <tbody>
            {plans.map((p) => (
              <tr key={p.id} className="border-t border-line" aria-current={p.id === current ? "true" : undefined}>
                <td className="py-1 font-medium">
                  {p.name}
                  {p.id === current ? <span className="ml-1 text-muted">(yours)</span> : null}
                </td>
                <td>{apps(p.maxApps)}</td>
                <td>
                  {p.cpu} CPU · {p.memoryMb} MiB
                </td>
                <td>
                  {p.build.cpu} CPU · {p.build.memoryMb} MiB · {Math.round(p.build.timeoutSeconds / 60)} min
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </ScrollX>
    </div>
  );
}
