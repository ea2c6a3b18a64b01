package dev.llmrelay.edge;

/**
 * What the models cost, for a stream whose upstream reported no cost of its own, and which models the
 * catalog lists (the only ones metrics name; the rest count as {@code other}). {@link ModelsFilePrices}
 * reads {@code conf/models.json}; a live catalog can stand in for it.
 */
public interface PriceList {

  /** US dollars per prompt token and per completion token. */
  record Price(double promptUsd, double completionUsd) {

    /** The cost of a stream in nano-dollars. */
    long nanos(long promptTokens, long completionTokens) {
      return Quota.nanos(promptTokens * promptUsd + completionTokens * completionUsd);
    }
  }

  /** Knows no model and no price. */
  PriceList NONE = new PriceList() {
    @Override
    public Price price(String model) {
      return null;
    }

    @Override
    public boolean lists(String model) {
      return false;
    }
  };

  /** The price of {@code model}, or null when it is unknown. */
  Price price(String model);

  /** Whether {@code model} is one of the catalog's ids. */
  boolean lists(String model);
}
