package dev.semisup.api.cel;

import dev.cel.common.CelAbstractSyntaxTree;
import dev.cel.common.ast.CelConstant;
import dev.cel.common.ast.CelExpr;
import dev.cel.common.types.CelKind;
import dev.cel.common.types.CelType;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The API server's static cost estimate of one checked CEL rule: cel-go's checker/cost.go, with
 * the sizes the apiextensions-apiserver's estimator takes from the schema (pkg/apiserver/schema/cel
 * compilation.go, sizeEstimator) and has() free of cost, as Kubernetes configures it. Covers the
 * expressions CRD rules are made of: literals, identifiers, field selection, calls (with the
 * string, list, equality and logic overloads cel-go prices by size), list and map literals and
 * comprehensions (the all/exists macros).
 */
public final class RuleCost {

  private static final double STRING_TRAVERSAL_COST_FACTOR = 0.1;
  private static final double REGEX_STRING_LENGTH_COST_FACTOR = 0.25;
  private static final CostEstimate SELECT_AND_IDENT_COST = CostEstimate.fixed(1);
  private static final CostEstimate CONST_COST = CostEstimate.fixed(0);
  private static final CostEstimate LIST_CREATE_BASE_COST = CostEstimate.fixed(10);
  private static final CostEstimate MAP_CREATE_BASE_COST = CostEstimate.fixed(30);
  private static final CostEstimate STRUCT_CREATE_BASE_COST = CostEstimate.fixed(40);

  private final CelAbstractSyntaxTree ast;
  private final SchemaType self;
  private final Map<Long, List<String>> paths = new HashMap<>();
  private final Map<Long, CostEstimate> sizes = new HashMap<>();
  private final Map<String, Deque<LocalVar>> locals = new HashMap<>();
  /** Paths whose size came from the request size limit, not from the schema: what a rule reads unbounded. */
  private final Set<String> unboundedReads = new LinkedHashSet<>();

  private record LocalVar(List<String> path, CostEstimate size) {
  }

  private RuleCost(CelAbstractSyntaxTree ast, SchemaType self) {
    this.ast = ast;
    this.self = self;
  }

  /** The rule's estimated maximum cost, and the paths it reads whose size the schema leaves unbounded. */
  public record Estimate(long maxCost, Set<String> unboundedReads) {
  }

  static Estimate of(CelAbstractSyntaxTree ast, SchemaType self) {
    RuleCost coster = new RuleCost(ast, self);
    long max = coster.cost(ast.getExpr()).max();
    return new Estimate(max, coster.unboundedReads);
  }

  private CostEstimate cost(CelExpr e) {
    return switch (e.exprKind().getKind()) {
      case CONSTANT -> CONST_COST;
      case IDENT -> costIdent(e);
      case SELECT -> costSelect(e);
      case CALL -> costCall(e);
      case LIST -> costList(e);
      case MAP -> costMap(e);
      case STRUCT -> costStruct(e);
      case COMPREHENSION -> costComprehension(e);
      default -> new CostEstimate(0, 0);
    };
  }

  private CostEstimate costIdent(CelExpr e) {
    String name = e.ident().name();
    Deque<LocalVar> stack = locals.get(name);
    paths.put(e.id(), stack != null && !stack.isEmpty() ? stack.peek().path() : List.of(name));
    return SELECT_AND_IDENT_COST;
  }

  private CostEstimate costSelect(CelExpr e) {
    CelExpr.CelSelect select = e.select();
    if (select.testOnly()) {
      return cost(select.operand()); // Kubernetes: PresenceTestHasCost(false)
    }
    CostEstimate sum = cost(select.operand());
    CelKind kind = type(select.operand()).kind();
    if (kind == CelKind.MAP || kind == CelKind.STRUCT || kind == CelKind.TYPE_PARAM) {
      sum = sum.add(SELECT_AND_IDENT_COST);
    }
    paths.put(e.id(), append(path(select.operand()), select.field()));
    return sum;
  }

  private CostEstimate costCall(CelExpr e) {
    CelExpr.CelCall call = e.call();
    List<CelExpr> args = call.args();
    List<CostEstimate> argCosts = new ArrayList<>();
    for (CelExpr arg : args) {
      argCosts.add(cost(arg));
    }
    CostEstimate sum = new CostEstimate(0, 0);
    CelExpr target = call.target().orElse(null);
    if (target != null) {
      sum = sum.add(cost(target));
    }
    List<String> overloads = ast.getReference(e.id()).map(r -> (List<String>) r.overloadIds()).orElse(List.of());
    if (overloads.isEmpty()) {
      throw new IllegalStateException("no overload for " + call.function() + " in a checked rule");
    }
    CostEstimate fnCost = new CostEstimate(Long.MAX_VALUE, 0);
    for (String overload : overloads) {
      fnCost = fnCost.union(functionCost(e, call.function(), overload, target, args, argCosts));
      if ((overload.equals("index_list") || overload.equals("index_map")) && !args.isEmpty()) {
        paths.put(e.id(), append(path(args.get(0)), overload.equals("index_list") ? "@items" : "@values"));
      }
    }
    return sum.add(fnCost);
  }

  private CostEstimate functionCost(CelExpr e, String function, String overload, CelExpr target, List<CelExpr> args,
      List<CostEstimate> argCosts) {
    CostEstimate argSum = new CostEstimate(0, 0);
    for (CostEstimate c : argCosts) {
      argSum = argSum.add(c);
    }
    switch (function + "/" + overload) {
      case "startsWith/starts_with_string", "endsWith/ends_with_string":
        return size(args.get(0)).multiplyByCostFactor(STRING_TRAVERSAL_COST_FACTOR).add(argSum);
      case "@in/in_list":
        return size(args.get(1)).multiplyByCostFactor(1).add(argSum);
      case "matches/matches_string": {
        CostEstimate strCost = size(target).add(CostEstimate.fixed(1)).multiplyByCostFactor(STRING_TRAVERSAL_COST_FACTOR);
        CostEstimate regexCost = size(args.get(0)).multiplyByCostFactor(REGEX_STRING_LENGTH_COST_FACTOR);
        return strCost.multiply(regexCost).add(argSum);
      }
      case "contains/contains_string": {
        CostEstimate strCost = size(target).multiplyByCostFactor(STRING_TRAVERSAL_COST_FACTOR);
        CostEstimate substrCost = size(args.get(0)).multiplyByCostFactor(STRING_TRAVERSAL_COST_FACTOR);
        return strCost.multiply(substrCost).add(argSum);
      }
      case "_||_/logical_or", "_&&_/logical_and":
        return new CostEstimate(argCosts.get(0).min(), argCosts.get(0).add(argCosts.get(1)).max());
      case "_?_:_/conditional": {
        sizes.put(e.id(), size(args.get(1)).union(size(args.get(2))));
        return argCosts.get(0).add(argCosts.get(1).union(argCosts.get(2)));
      }
      case "_+_/add_string", "_+_/add_list": {
        CostEstimate result = size(args.get(0)).add(size(args.get(1)));
        sizes.put(e.id(), result);
        return overload.equals("add_list") ? CostEstimate.fixed(1).add(argSum)
            : result.multiplyByCostFactor(STRING_TRAVERSAL_COST_FACTOR).add(argSum);
      }
      default:
        break;
    }
    if (overload.equals("equals") || overload.equals("not_equals") || overload.startsWith("less_string")
        || overload.startsWith("greater_string") || overload.startsWith("less_equals_string")
        || overload.startsWith("greater_equals_string")) {
      long smallestMax = Math.min(size(args.get(0)).max(), size(args.get(1)).max());
      return new CostEstimate(smallestMax > 0 ? 1 : 0, smallestMax).multiplyByCostFactor(STRING_TRAVERSAL_COST_FACTOR)
          .add(argSum);
    }
    return CostEstimate.fixed(1).add(argSum);
  }

  private CostEstimate costList(CelExpr e) {
    CostEstimate sum = new CostEstimate(0, 0);
    for (CelExpr element : e.list().elements()) {
      sum = sum.add(cost(element));
    }
    return sum.add(LIST_CREATE_BASE_COST);
  }

  private CostEstimate costMap(CelExpr e) {
    CostEstimate sum = new CostEstimate(0, 0);
    for (var entry : e.map().entries()) {
      sum = sum.add(cost(entry.key())).add(cost(entry.value()));
    }
    return sum.add(MAP_CREATE_BASE_COST);
  }

  private CostEstimate costStruct(CelExpr e) {
    CostEstimate sum = new CostEstimate(0, 0);
    for (var field : e.struct().entries()) {
      sum = sum.add(cost(field.value()));
    }
    return sum.add(STRUCT_CREATE_BASE_COST);
  }

  private CostEstimate costComprehension(CelExpr e) {
    CelExpr.CelComprehension comp = e.comprehension();
    CostEstimate sum = cost(comp.iterRange()).add(cost(comp.accuInit()));
    push(comp.accuVar(), path(comp.accuInit()), optionalSize(comp.accuInit()));
    boolean list = type(comp.iterRange()).kind() == CelKind.LIST;
    push(comp.iterVar(), append(path(comp.iterRange()), list ? "@items" : "@keys"), null);
    CostEstimate loopCost = cost(comp.loopCondition());
    CostEstimate stepCost = cost(comp.loopStep());
    locals.get(comp.iterVar()).pop();
    sum = sum.add(cost(comp.result()));
    locals.get(comp.accuVar()).pop();
    CostEstimate range = size(comp.iterRange());
    return sum.add(new CostEstimate(CostEstimate.multiply(range.min(), stepCost.add(loopCost).min()),
        CostEstimate.multiply(range.max(), stepCost.add(loopCost).max())));
  }

  private void push(String name, List<String> path, CostEstimate size) {
    locals.computeIfAbsent(name, n -> new ArrayDeque<>()).push(new LocalVar(path, size));
  }

  private CostEstimate size(CelExpr e) {
    CostEstimate size = optionalSize(e);
    return size == null ? CostEstimate.UNKNOWN : size;
  }

  /** cel-go's computeSize: computed, literal, from the schema by path, scalar, local variable. */
  private CostEstimate optionalSize(CelExpr e) {
    if (sizes.containsKey(e.id())) {
      return sizes.get(e.id());
    }
    switch (e.exprKind().getKind()) {
      case CONSTANT -> {
        CelConstant constant = e.constant();
        return switch (constant.getKind()) {
          case STRING_VALUE -> CostEstimate.fixed(constant.stringValue().codePointCount(0, constant.stringValue().length()));
          case BYTES_VALUE -> CostEstimate.fixed(constant.bytesValue().size());
          default -> CostEstimate.fixed(1);
        };
      }
      case LIST -> {
        return CostEstimate.fixed(e.list().elements().size());
      }
      case MAP -> {
        return CostEstimate.fixed(e.map().entries().size());
      }
      default -> {
      }
    }
    CostEstimate fromSchema = schemaSize(path(e));
    if (fromSchema != null) {
      return fromSchema;
    }
    CelKind kind = type(e).kind();
    if (kind == CelKind.BOOL || kind == CelKind.DOUBLE || kind == CelKind.INT || kind == CelKind.UINT
        || kind == CelKind.DURATION || kind == CelKind.TIMESTAMP) {
      return CostEstimate.fixed(1);
    }
    if (e.exprKind().getKind() == CelExpr.ExprKind.Kind.IDENT) {
      Deque<LocalVar> stack = locals.get(e.ident().name());
      if (stack != null && !stack.isEmpty()) {
        return stack.peek().size();
      }
    }
    return null;
  }

  /** The apiextensions sizeEstimator: walks the schema from self along the path. */
  private CostEstimate schemaSize(List<String> path) {
    if (path == null || path.isEmpty() || !(path.get(0).equals("self") || path.get(0).equals("oldSelf"))) {
      return null;
    }
    SchemaType node = self;
    for (String step : path.subList(1, path.size())) {
      node = switch (step) {
        case "@items", "@values" -> node.element();
        case "@keys" -> null;
        default -> node.fields().get(step);
      };
      if (node == null) {
        return null;
      }
    }
    if (node.maxElements() > 0 && !node.bounded() && !(node.celType().kind() == CelKind.STRUCT)) {
      unboundedReads.add(String.join(".", path.subList(1, path.size())));
    }
    return new CostEstimate(0, node.maxElements());
  }

  private List<String> path(CelExpr e) {
    if (e.exprKind().getKind() == CelExpr.ExprKind.Kind.IDENT) {
      Deque<LocalVar> stack = locals.get(e.ident().name());
      if (stack != null && !stack.isEmpty()) {
        return stack.peek().path();
      }
    }
    return paths.get(e.id());
  }

  private CelType type(CelExpr e) {
    return ast.getType(e.id()).orElseThrow(() -> new IllegalStateException("unchecked expression " + e));
  }

  private static List<String> append(List<String> path, String step) {
    if (path == null) {
      return null;
    }
    List<String> out = new ArrayList<>(path);
    out.add(step);
    return out;
  }
}
