import type { Expr } from './ast.js';
import { flattenChain, type Chain } from './references.js';

/** Calls `onReference` for each chain that starts at a name (a reference), visiting arguments and operands too. */
export function visitReferences(expr: Expr, onReference: (expr: Expr, chain: Chain) => void): void {
  switch (expr.kind) {
    case 'literal':
      return;
    case 'nested':
      visitReferences(expr.expression, onReference);
      return;
    case 'unary':
      visitReferences(expr.operand, onReference);
      return;
    case 'binary':
      visitReferences(expr.left, onReference);
      visitReferences(expr.right, onReference);
      return;
    case 'conditional':
      visitReferences(expr.test, onReference);
      visitReferences(expr.consequent, onReference);
      visitReferences(expr.alternate, onReference);
      return;
    default: {
      const chain = flattenChain(expr);
      if (chain.base.kind === 'identifier') onReference(expr, chain);
      else visitReferences(chain.base, onReference);
      for (const link of chain.links) {
        if (link.kind === 'index') visitReferences(link.index, onReference);
        if (link.kind === 'call') for (const arg of link.args) visitReferences(arg, onReference);
      }
    }
  }
}
