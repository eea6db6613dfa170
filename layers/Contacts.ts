/** Contacts as configured: a vCard file (VCARD_FILE, the example's by default). */
import { VCardContactsLive } from "../src/Integrations/VCardContacts.js"

export const ContactsFromConfig = VCardContactsLive
