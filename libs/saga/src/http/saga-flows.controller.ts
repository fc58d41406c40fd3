import { Controller, Get, NotFoundException, Param, Res } from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { sagaPlanDiagram } from '../engine/saga-plan.diagram';
import { SagaRegistry } from '../runtime/saga.registry';

/** A flow this application orchestrates, as `GET /dta/flows` lists it. */
export interface SagaFlowView {
  /** The flow's name, as its contract declares it. */
  flow: string;
  /** Its steps' names, in order. */
  steps: string[];
}

/**
 * `GET /dta/flows/:flow`: the flow's diagram as Mermaid source (`text/plain; charset=utf-8`), drawn from its
 * plan by `sagaPlanDiagram`; `GET /dta/flows`: the flows, each with its steps. Every app that imports
 * `SagaHttpModule` serves the routes, but only an app that orchestrates a flow (it provides the flow's
 * `@Saga` class) knows its plan: elsewhere, a front door or a service hosting tasks only, the flow answers
 * 404 and the list leaves it out.
 *
 * @example
 * curl -s localhost:3000/dta/flows/booking   // flowchart LR ...
 */
@Controller('dta/flows')
export class SagaFlowsController {
  constructor(
    private readonly registry: SagaRegistry,
    private readonly adapterHost: HttpAdapterHost,
  ) {}

  /** The flows this application orchestrates, each with its steps' names. */
  @Get()
  flows(): SagaFlowView[] {
    return this.registry.allPlans().map((plan) => ({
      flow: plan.flow,
      steps: plan.steps.map((step) => step.name),
    }));
  }

  /** The flow's diagram as Mermaid source; 404 naming the known flows when this app does not orchestrate it. */
  @Get(':flow')
  diagram(@Param('flow') flow: string, @Res({ passthrough: true }) response: unknown): string {
    const plan = this.registry.plan(flow);
    if (!plan) {
      const known = this.registry.allPlans().map((p) => `'${p.flow}'`);
      throw new NotFoundException(
        `This application does not orchestrate the flow '${flow}': it knows ${known.length > 0 ? known.join(', ') : 'none'}. ` +
          'Ask an app that provides its @Saga class (the orchestrator).',
      );
    }
    // Set here, not with @Header(), so that a 404 keeps the JSON type of Nest's error body.
    this.adapterHost.httpAdapter.setHeader(response, 'content-type', 'text/plain; charset=utf-8');
    return sagaPlanDiagram(plan);
  }
}
