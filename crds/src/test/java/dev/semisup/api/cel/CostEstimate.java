package dev.semisup.api.cel;

/**
 * A range of cost or size, with cel-go's arithmetic: unsigned 64-bit values that saturate instead
 * of overflowing (here: at Long.MAX_VALUE, far above any budget), and cost factors rounded up.
 */
record CostEstimate(long min, long max) {

  static final CostEstimate UNKNOWN = new CostEstimate(0, Long.MAX_VALUE);

  static CostEstimate fixed(long value) {
    return new CostEstimate(value, value);
  }

  CostEstimate add(CostEstimate other) {
    return new CostEstimate(add(min, other.min), add(max, other.max));
  }

  CostEstimate multiply(CostEstimate other) {
    return new CostEstimate(multiply(min, other.min), multiply(max, other.max));
  }

  CostEstimate multiplyByCostFactor(double factor) {
    return new CostEstimate(byFactor(min, factor), byFactor(max, factor));
  }

  CostEstimate union(CostEstimate other) {
    return new CostEstimate(Math.min(min, other.min), Math.max(max, other.max));
  }

  static long add(long x, long y) {
    long sum = x + y;
    return sum < 0 ? Long.MAX_VALUE : sum;
  }

  static long multiply(long x, long y) {
    if (x == 0 || y == 0) {
      return 0;
    }
    return x > Long.MAX_VALUE / y ? Long.MAX_VALUE : x * y;
  }

  private static long byFactor(long x, double factor) {
    double product = Math.ceil(x * factor);
    return product >= Long.MAX_VALUE ? Long.MAX_VALUE : (long) product;
  }
}
