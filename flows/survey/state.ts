import { z } from 'zod';

/** What the survey flow remembers between messages: the run and the question on screen, never answers. */
export const surveyStateSchema = z.object({ runId: z.string().optional(), questionKey: z.string().optional() });
export type SurveyState = z.infer<typeof surveyStateSchema>;
