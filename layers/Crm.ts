/**
 * The CRM as configured: the local CRM (SQLite, seeded from LOCAL_CRM_FILE), the default.
 */
import { LocalCrmLive } from "../src/Integrations/LocalCrm.js"

export const CrmFromConfig = LocalCrmLive
