import { linkActionRoute } from "@/server/http/link-action-route";
import { revokeByLink } from "@/server/sessions/revoke-by-link";

export const dynamic = "force-dynamic";

/** The revoke page's button. Every failure lands on the same refusal page as a bad GET. */
export const POST = linkActionRoute({ refused: "/revoke?token=refused", done: "/revoke/done", act: revokeByLink });
