import type { Metadata } from "next";
import { StatusBoard } from "./status-board";

export const metadata: Metadata = { title: "Status" };

export default function StatusPage() {
  return (
    <section className="space-y-6">
      <h1 className="text-2xl font-semibold">Platform status</h1>
      <StatusBoard />
    </section>
  );
}
