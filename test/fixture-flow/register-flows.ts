/** Registers the projects flow's types and flows (in a module of its own, so it runs before the workflows load). */
import { extendFlows } from '../../flows';
import { projectsFlows } from './projects-flow';

extendFlows(projectsFlows);
