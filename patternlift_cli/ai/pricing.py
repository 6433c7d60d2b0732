"""Dollar cost of a model call: genai-prices' table, or a per-model price from settings.

Both paths return exact Decimals rounded up to the micro-dollar, so a reservation priced here
always covers the settled cost of the same or fewer tokens.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from patternlift_cli.domain.budget import round_up_to_micro
from patternlift_cli.errors import UnknownModelPriceError

PER_MILLION = Decimal(1_000_000)


@dataclass(frozen=True)
class Pricer:
    model: str
    override: tuple[Decimal, Decimal] | None = None  # (input, output) USD per 1M tokens
    source: str = "genai-prices"

    @property
    def basis(self) -> str:
        """Names the price in effect, as ai_model_trust records it: a model that billed past its
        reservation is refused until this changes (an operator sets or changes its override)."""
        if self.override is None:
            return self.source
        input_price, output_price = (format(price.normalize(), "f") for price in self.override)
        return f"override input={input_price} output={output_price}"

    def cost(self, prompt_tokens: int, completion_tokens: int, cached_tokens: int = 0) -> Decimal:
        if self.override is not None:
            input_price, output_price = self.override
            raw = (prompt_tokens * input_price + completion_tokens * output_price) / PER_MILLION
            return round_up_to_micro(raw)
        from genai_prices import Usage, calc_price

        usage = Usage(
            input_tokens=prompt_tokens,
            cache_read_tokens=min(cached_tokens, prompt_tokens) or None,
            output_tokens=completion_tokens,
        )
        return round_up_to_micro(Decimal(calc_price(usage, model_ref=self.model).total_price))


def pricer_for(model: str, overrides: dict[str, dict[str, Decimal]]) -> Pricer:
    """The price source for `model`; refuses a model nobody has priced."""
    if model in overrides:
        entry = overrides[model]
        try:
            prices = (Decimal(str(entry["input"])), Decimal(str(entry["output"])))
        except (KeyError, ArithmeticError, TypeError) as error:
            raise UnknownModelPriceError(
                f"PATTERNLIFT_AI_PRICE_OVERRIDES: '{model}' needs numeric \"input\" and \"output\" prices "
                "(USD per 1M tokens)."
            ) from error
        if min(prices) < 0:
            raise UnknownModelPriceError(f"PATTERNLIFT_AI_PRICE_OVERRIDES: '{model}' has a negative price.")
        return Pricer(model, override=prices, source="PATTERNLIFT_AI_PRICE_OVERRIDES")
    pricer = Pricer(model)
    try:
        pricer.cost(1, 1)
    except LookupError as error:
        raise UnknownModelPriceError(
            f"No price is known for the model '{model}'.",
            hint=(
                "Set its price in PATTERNLIFT_AI_PRICE_OVERRIDES, e.g. "
                f'PATTERNLIFT_AI_PRICE_OVERRIDES=\'{{"{model}": {{"input": "0.15", "output": "0.60"}}}}\' '
                "(USD per 1M tokens; use 0 for a free local model)."
            ),
        ) from error
    return pricer
