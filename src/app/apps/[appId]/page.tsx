import { appIdFrom } from "./app-id";
import { OverviewPanel } from "./overview-panel";

export default async function AppOverviewPage({ params }: { params: Promise<{ appId: string }> }) {
  return <OverviewPanel appId={await appIdFrom(params)} />;
}
