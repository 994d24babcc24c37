import { notFound } from "next/navigation";

/** The numeric app id from the route; anything else is a 404 before any query runs. */
export async function appIdFrom(params: Promise<{ appId: string }>): Promise<number> {
  const { appId } = await params;
  if (!/^\d{1,9}$/.test(appId)) notFound();
  return Number(appId);
}
