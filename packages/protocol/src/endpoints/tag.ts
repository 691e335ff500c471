/** The tag operator (`api.tag`, §2.7): projects (the reference also calls them labels) and task tags. */
import { z } from 'zod';
import { emptyBody, id, idList, nothing, numberish, text } from '../models/primitives.js';
import { ProjectListSchema } from '../models/project.js';
import { defineEndpoint } from './define.js';

const name = () => text().min(1);

export const TAG_ENDPOINTS = {
  'tag.addLabel': defineEndpoint({
    name: 'tag.addLabel',
    operator: 'tag',
    method: 'addLabel',
    path: '/api/render/project/add',
    legacyPaths: ['/api/render/common/addLabel'],
    request: z.looseObject({
      newName: name(),
      status: numberish(z.union([z.literal(0), z.literal(1)])).optional(),
    }),
    response: nothing(),
    summary: 'Create a project.',
  }),
  'tag.deleteLabel': defineEndpoint({
    name: 'tag.deleteLabel',
    operator: 'tag',
    method: 'deleteLabel',
    path: '/api/render/project/delete',
    legacyPaths: ['/api/render/common/deleteLabel'],
    request: z.looseObject({ delName: name() }),
    response: nothing(),
    summary: 'Delete a project.',
  }),
  'tag.getLabelList': defineEndpoint({
    name: 'tag.getLabelList',
    operator: 'tag',
    method: 'getLabelList',
    path: '/api/render/project/getList',
    legacyPaths: ['/api/render/common/getLabelList'],
    request: emptyBody(),
    response: ProjectListSchema,
    summary: "The account's projects.",
  }),
  'tag.getList': defineEndpoint({
    name: 'tag.getList',
    operator: 'tag',
    method: 'getList',
    path: '/api/render/project/list',
    legacyPaths: [],
    request: z.looseObject({
      /** 0 own projects, 1 own and the main account's, 2 all under the same main account */
      flag: numberish(z.union([z.literal(0), z.literal(1), z.literal(2)])).optional(),
    }),
    response: ProjectListSchema,
    summary: 'Projects in a scope.',
  }),
  'tag.addTaskTag': defineEndpoint({
    name: 'tag.addTaskTag',
    operator: 'tag',
    method: 'addTaskTag',
    path: '/api/render/handle/addTaskLabel',
    legacyPaths: [],
    request: z.looseObject({ label: name(), taskIds: idList() }),
    response: nothing(),
    summary: 'Tag tasks.',
  }),
  'tag.deleteTaskTag': defineEndpoint({
    name: 'tag.deleteTaskTag',
    operator: 'tag',
    method: 'deleteTaskTag',
    path: '/api/render/handle/deleteTaskLabel',
    // The docs show a second variant at this path taking task ids and tag names.
    legacyPaths: ['/api/render/task/deleteTaskLabel'],
    request: z.union([
      z.looseObject({ labelIds: z.array(id()).min(1).max(1000) }),
      z.looseObject({ taskIds: idList(), labelNames: z.array(name()).min(1).max(1000) }),
    ]),
    response: nothing(),
    summary: 'Remove tags.',
  }),
} as const;
