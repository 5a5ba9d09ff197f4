/** Tandem's workflows with the projects flow registered first: the bundle the fixture's worker runs. */
import './register-flows';
export * from '../../workflows';
