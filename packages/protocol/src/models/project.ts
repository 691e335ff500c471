/** Projects, which the reference also calls labels (§2.7). */
import { z } from 'zod';

export const ProjectListSchema = z.looseObject({
  projectNameList: z.array(z.looseObject({ projectId: z.int(), projectName: z.string() })),
});

export type ProjectList = z.output<typeof ProjectListSchema>;
