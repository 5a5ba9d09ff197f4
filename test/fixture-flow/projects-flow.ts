/**
 * A record type and a flow that Tandem does not ship, defined here alone: Zendesk organisations ↔
 * PowerOffice Go projects. Its target record type, flow definition, connector calls and simulator
 * resource are all in this file; the generic code routes, polls, explains and syncs it (the test
 * beside it). No import here runs code that a workflow bundle may not hold.
 */
import { z } from 'zod';
import type { CallsExtension } from '../../activities/extend';
import type { FlowExtension } from '../../flows';
import type { PowerOfficeResourceSpec } from '../../simulators/poweroffice';

export const PROJECTS_FLOW = 'zendesk-organizations-to-powerofficego-projects';

/** A project as the API answers it: what the flow reads, the rest kept. */
const Project = z.looseObject({
  Id: z.number().int(),
  Name: z.string().nullable().optional(),
  Code: z.string().nullable().optional(),
  CreatedDateTimeOffset: z.string().optional(),
  LastChangedDateTimeOffset: z.string().optional(),
});

export const projectsFlows: FlowExtension = {
  targetTypes: { projects: { system: 'poweroffice', noun: 'project' } },
  flows: [
    {
      id: PROJECTS_FLOW,
      code: 'X1',
      title: 'Zendesk organisations → PowerOffice Go projects',
      source: { system: 'zendesk', type: 'organizations' },
      target: { system: 'poweroffice', type: 'projects' },
      direction: { mode: 'two-way', description: 'created from Zendesk; once linked, edits flow both ways' },
      condition: { id: 'every-organization', description: 'every organisation', predicate: () => true },
      creation: { mode: 'always', description: 'a project for every organisation' },
      match: {
        by: 'name',
        zendesk: 'name',
        target: 'Name',
        caseInsensitive: true,
        exactlyOne: true,
        description: 'Zendesk `name` = project `Name` (ignoring case), exactly one candidate',
      },
      properties: [
        {
          source: 'created_at',
          target: 'CreatedDateTimeOffset',
          dataType: 'string',
          kind: 'timestamp',
          readOnly: { zendesk: true, target: true },
        },
        { source: 'name', target: 'Name', dataType: 'string', kind: 'text', readOnly: {} },
      ],
      extras: [],
      modifiedAt: { zendesk: 'updated_at', target: 'LastChangedDateTimeOffset' },
    },
  ],
};

export const projectsCalls: CallsExtension = {
  target: {
    projects: ({ poweroffice }) => {
      const projects = poweroffice.resource('/Projects', Project);
      return {
        get: (id) => projects.get(Number(id)),
        create: (body) => projects.create(body),
        update: (id, body) => projects.update(Number(id), body),
        find: async (_by, value) => {
          const wanted = value.trim().toLowerCase();
          const named = await projects.listAll({ name: value.trim() });
          return named.filter((p) => (p.Name ?? '').trim().toLowerCase() === wanted);
        },
        list: (since, pageNumber, pageSize) =>
          projects.list({ lastChangedDateTimeOffsetGreaterThan: since }, { pageNumber, pageSize }),
        idField: 'Id',
      };
    },
  },
};

export const projectsResource: PowerOfficeResourceSpec = {
  path: '/Projects',
  noun: 'Project',
  fields: { Name: z.string().max(200).nullable(), Code: z.string().max(50).nullable() },
  required: 'Name',
  firstId: 700001,
};
