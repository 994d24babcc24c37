import Link from "next/link";
import { StatusBoard } from "./status/status-board";

export default function HomePage() {
  return (
    <section className="space-y-6">
      <div>
        <h1 className="text-2xl font-semibold">WiseHosting</h1>
        <p className="text-muted">Push apps from git; your workers run them; Traefik routes to them.</p>
      </div>
      <StatusBoard />
      <p className="text-sm text-muted">
        <Link href="/status" className="text-accent hover:underline">Full status</Link>
      </p>
    </section>
  );
}
