import { z } from 'zod';
import { clientMessageId, messageBody } from './schemas.js';

/** `POST /api/agent/conversations/{id}/notes` (docs/api.md, "Internal notes"): 1–5000 characters, like a message. */
export const noteBody = z.object({ body: messageBody, client_message_id: clientMessageId.optional() }, { error: 'must be a JSON object' });
