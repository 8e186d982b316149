"""An agent-based model of a financial network: banks, funds and firms hold assets in three
markets and lend to each other; price moves and shocks eat their capital, an entity whose
equity reaches zero defaults, and its creditors lose part of what they lent it (contagion),
while fire sales of its assets push the prices down further.

One entity is the user's bank (BANK_001, a mortgage lender). When its non-performing loans
pass 8%, or when the whole system's health falls below 60%, the simulation stops and asks for
a decision: a recommended action and an alternative, each changing the rest of the run.

Deterministic for a given seed and the same answers. Standard library only.
"""

import math
import random

SECTORS = ("real_estate", "equities", "corporate_credit")
SCENARIOS = {
    # timestep -> shocks applied then, on top of the random ones.
    "baseline": {},
    "real_estate_crash": {10: [("asset_price_crash", "real_estate", -0.2)]},
    "liquidity_freeze": {
        10: [("liquidity_freeze", "interbank", -0.4)],
        25: [("asset_price_crash", "equities", -0.2)],
    },
}
YOUR_BANK = "BANK_001"
NPA_LIMIT = 0.08
HEALTH_ALERT = 0.5
RECOVERY = 0.4  # what a creditor gets back of a loan to an entity that defaulted


class Entity:
    def __init__(self, entity_id, entity_type, holdings, liquid, debt):
        self.id = entity_id
        self.type = entity_type
        self.holdings = holdings  # sector -> units (valued at the sector's price)
        self.liquid = liquid
        self.debt = debt  # deposits and bonds: owed to the outside world
        self.lent = {}  # borrower id -> amount
        self.borrowed = {}  # lender id -> amount
        self.alive = True
        self.initial_ratio = None

    def assets(self, prices):
        market = sum(units * prices[sector] for sector, units in self.holdings.items())
        return market + self.liquid + sum(self.lent.values())

    def equity(self, prices):
        return self.assets(prices) - self.debt - sum(self.borrowed.values())

    def capital_ratio(self, prices):
        assets = self.assets(prices)
        return self.equity(prices) / assets if assets > 0 else 0.0

    def health(self, prices):
        if not self.alive:
            return 0.0
        return max(0.0, min(1.0, self.capital_ratio(prices) / self.initial_ratio))


class Simulation:
    """One run. `step()` advances it and returns the events of that step, in order."""

    def __init__(self, sim_id, seed, scenario="real_estate_crash", steps=200, agents=30):
        if scenario not in SCENARIOS:
            raise ValueError(f"scenario must be one of {', '.join(SCENARIOS)}")
        self.id = sim_id
        self.seed = seed
        self.scenario = scenario
        self.steps = steps
        self.rng = random.Random(seed)
        self.timestep = 0
        self.prices = {sector: 1.0 for sector in SECTORS}
        self.status = "running"  # running, awaiting_decision, completed
        self.pending = None  # the decision waiting for an answer
        self.asked = set()  # kinds of decision already asked (each at most once a run)
        self.resolutions = []
        self.shock_count = 0
        self.npa_relief = 0.0  # forbearance hides part of the bad loans for a while
        self.support_until = -1  # while a liquidity facility runs, fire sales bite half as hard
        self.entities = self._build(agents)

    # --- the network ----------------------------------------------------------------

    def _build(self, agents):
        rng = self.rng
        banks = max(2, round(agents * 0.4))
        funds = max(1, round(agents * 0.25))
        firms = max(1, agents - banks - funds)
        entities = {}

        def add(prefix, count, entity_type, make):
            for index in range(1, count + 1):
                entity = make(f"{prefix}_{index:03d}")
                entity.type = entity_type
                entities[entity.id] = entity

        def bank(entity_id):
            mortgage_heavy = entity_id == YOUR_BANK
            holdings = {
                "real_estate": 40 if mortgage_heavy else rng.uniform(15, 35),
                "equities": rng.uniform(5, 15),
                "corporate_credit": rng.uniform(20, 35),
            }
            size = sum(holdings.values())
            leverage = 0.8 if mortgage_heavy else rng.uniform(0.8, 0.9)
            return Entity(entity_id, "bank", holdings, size * 0.08, size * leverage)

        def fund(entity_id):
            holdings = {
                "real_estate": rng.uniform(5, 15),
                "equities": rng.uniform(25, 45),
                "corporate_credit": rng.uniform(5, 15),
            }
            size = sum(holdings.values())
            return Entity(entity_id, "fund", holdings, size * 0.05, size * rng.uniform(0.65, 0.88))

        def firm(entity_id):
            holdings = {
                "real_estate": rng.uniform(10, 20),
                "equities": rng.uniform(0, 5),
                "corporate_credit": 0.0,
            }
            size = sum(holdings.values())
            return Entity(entity_id, "firm", holdings, size * 0.1, size * rng.uniform(0.55, 0.85))

        add("BANK", banks, "bank", bank)
        add("FUND", funds, "fund", fund)
        add("CORP", firms, "firm", firm)
        ids = list(entities)
        lenders = [e for e in entities.values() if e.type in ("bank", "fund")]
        for lender in lenders:
            for borrower_id in rng.sample([i for i in ids if i != lender.id], 3):
                amount = rng.uniform(2, 6)
                lender.lent[borrower_id] = lender.lent.get(borrower_id, 0) + amount
                lender.liquid -= amount * 0.5  # half funded from its cash, half from its debt
                lender.debt += amount * 0.5
                borrower = entities[borrower_id]
                borrower.borrowed[lender.id] = borrower.borrowed.get(lender.id, 0) + amount
                borrower.liquid += amount
        for entity in entities.values():
            entity.initial_ratio = max(0.02, entity.capital_ratio(self.prices))
        return entities

    # --- figures ----------------------------------------------------------------------

    def alive(self):
        return sum(1 for e in self.entities.values() if e.alive)

    def system_health(self):
        healths = [e.health(self.prices) for e in self.entities.values()]
        return sum(healths) / len(healths)

    def npa_ratio(self):
        """Your bank's non-performing loans: its mortgage book sours as property prices fall,
        its loans to entities that defaulted stop paying."""
        bank = self.entities[YOUR_BANK]
        book = bank.holdings["real_estate"] + bank.holdings["corporate_credit"] + sum(bank.lent.values())
        if book <= 0:
            return 0.0
        real_estate_share = bank.holdings["real_estate"] / book
        bad = 0.03 + 0.9 * max(0.0, 1.0 - self.prices["real_estate"]) * real_estate_share
        bad += 0.5 * max(0.0, 1.0 - self.prices["corporate_credit"]) * bank.holdings["corporate_credit"] / book
        lost = sum(v for k, v in bank.lent.items() if not self.entities[k].alive)
        return max(0.0, bad + lost / book - self.npa_relief)

    def snapshot(self):
        you = self.entities[YOUR_BANK]
        return {
            "entities": [
                {"id": e.id, "type": e.type, "health": round(e.health(self.prices), 3), "alive": e.alive}
                for e in self.entities.values()
            ],
            "prices": {sector: round(price, 4) for sector, price in self.prices.items()},
            "your_bank": {
                "id": YOUR_BANK,
                "alive": you.alive,
                "capital_ratio": round(you.capital_ratio(self.prices), 4),
                "npa_ratio": round(self.npa_ratio(), 4),
            },
        }

    def describe(self):
        return {
            "simulation_id": self.id,
            "seed": self.seed,
            "scenario": self.scenario,
            "steps": self.steps,
            "agents": len(self.entities),
        }

    # --- one step -------------------------------------------------------------------

    def step(self):
        """Advances one timestep; returns its events as (event, data) pairs."""
        if self.status != "running":
            return []
        self.timestep += 1
        t = self.timestep
        events = []
        rng = self.rng
        # Markets: a small drift back towards 1 and noise.
        for sector in SECTORS:
            drift = 0.02 * (1.0 - self.prices[sector])
            self.prices[sector] *= math.exp(drift + rng.gauss(-0.002, 0.012))
        # Each entity's own business: income and losses no market explains.
        for entity in self.entities.values():
            if entity.alive:
                entity.liquid += entity.assets(self.prices) * rng.gauss(0.0002, 0.006)
        # Shocks: the scenario's, then now and then a random one.
        shocks = list(SCENARIOS[self.scenario].get(t, []))
        if rng.random() < 0.035:
            kind = rng.choice(("asset_price_crash", "asset_price_crash", "credit_downgrade", "liquidity_freeze"))
            if kind == "asset_price_crash":
                shocks.append((kind, rng.choice(("real_estate", "equities")), -round(rng.uniform(0.08, 0.25), 2)))
            elif kind == "credit_downgrade":
                shocks.append((kind, "corporate_credit", -round(rng.uniform(0.05, 0.15), 2)))
            else:
                shocks.append((kind, "interbank", -round(rng.uniform(0.15, 0.35), 2)))
        for shock_type, target, magnitude in shocks:
            self.shock_count += 1
            self._apply_shock(shock_type, target, magnitude)
            events.append(("shock_applied", {
                "shock_id": f"{self.id}-s{self.shock_count}",
                "shock_type": shock_type,
                "target": target,
                "magnitude": magnitude,
                "timestep": t,
            }))
        # Defaults, and the contagion they cause, until no more fall this step.
        events.extend(("entity_default", data) for data in self._defaults())
        done = t >= self.steps or self.alive() <= len(self.entities) * 0.2
        health = round(self.system_health(), 4)
        events.append(("simulation_step", {
            "timestep": t,
            "system_health": health,
            "alive_agents": self.alive(),
            "snapshot": self.snapshot(),
        }))
        if done:
            self.status = "completed"
            events.append(("simulation_completed", {
                "timestep": t,
                "system_health": health,
                "alive_agents": self.alive(),
                "reason": "steps" if t >= self.steps else "collapse",
            }))
            return events
        decision = self._decision_needed()
        if decision is not None:
            self.pending = decision
            self.status = "awaiting_decision"
            events.append(("pending_decision", decision))
        return events

    def _apply_shock(self, shock_type, target, magnitude):
        if target in self.prices:
            self.prices[target] *= 1.0 + magnitude
        elif shock_type == "liquidity_freeze":
            # Lenders call back part of their interbank loans: borrowers pay from their cash
            # or sell assets at a discount.
            for entity in self.entities.values():
                if not entity.alive:
                    continue
                for lender_id, amount in list(entity.borrowed.items()):
                    called = amount * -magnitude
                    entity.borrowed[lender_id] -= called
                    lender = self.entities[lender_id]
                    lender.lent[entity.id] -= called
                    lender.liquid += called
                    entity.liquid -= called
                    if entity.liquid < 0:
                        self._fire_sale(entity, -entity.liquid * 1.15)

    def _fire_sale(self, entity, value):
        """Sells `value` of the entity's market assets; the sale itself moves prices down."""
        market = {s: u * self.prices[s] for s, u in entity.holdings.items() if u > 0}
        total = sum(market.values())
        if total <= 0:
            return
        sold = min(value, total)
        impact = 0.5 if self.timestep <= self.support_until else 1.0
        for sector, worth in market.items():
            share = sold * worth / total
            entity.holdings[sector] -= share / self.prices[sector]
            self.prices[sector] *= 1.0 - impact * 0.001 * share
        entity.liquid += sold / 1.15

    def _defaults(self):
        fallen = []
        while True:
            newly = [e for e in self.entities.values() if e.alive and e.equity(self.prices) <= 0]
            if not newly:
                return fallen
            for entity in newly:
                entity.alive = False
                creditors = []
                for lender_id, amount in entity.borrowed.items():
                    lender = self.entities[lender_id]
                    lender.lent[entity.id] = amount * RECOVERY
                    if lender.alive:
                        creditors.append(lender_id)
                # Its assets are dumped on the market.
                self._fire_sale(entity, sum(u * self.prices[s] for s, u in entity.holdings.items()))
                fallen.append({
                    "entity_id": entity.id,
                    "entity_type": entity.type,
                    "timestep": self.timestep,
                    "cause": "contagion" if fallen else "losses",
                    "creditors_hit": sorted(creditors),
                })

    # --- decisions --------------------------------------------------------------------

    def _decision_needed(self):
        you = self.entities[YOUR_BANK]
        npa = self.npa_ratio()
        if "npa" not in self.asked and you.alive and npa > NPA_LIMIT:
            self.asked.add("npa")
            return {
                "decision_id": f"{self.id}-npa",
                "kind": "npa",
                "timestep": self.timestep,
                "title": "Risk Alert: High NPA Levels",
                "description": (
                    f"Your NPA ratio has exceeded {NPA_LIMIT:.0%} (now {npa:.1%}): falling property "
                    "prices are souring your mortgage book. How should the bank respond?"
                ),
                "recommended_action": {
                    "id": "provision_and_deleverage",
                    "label": "Provision and cut real-estate exposure",
                    "description": "Book provisions now and sell 40% of the mortgage book at a 5% discount: a hit to capital today, much less risk ahead.",
                },
                "alternative_action": {
                    "id": "forbear_and_extend",
                    "label": "Forbear and keep lending",
                    "description": "Restructure the bad loans instead of recognising them and grow the mortgage book by 15%: capital looks fine today, exposure rises.",
                },
            }
        health = self.system_health()
        if "systemic" not in self.asked and health < HEALTH_ALERT:
            self.asked.add("systemic")
            return {
                "decision_id": f"{self.id}-systemic",
                "kind": "systemic",
                "timestep": self.timestep,
                "title": "Systemic stress: banks near failure",
                "description": (
                    f"System health has fallen to {health:.0%} and several institutions are close "
                    "to default. Should the authorities step in?"
                ),
                "recommended_action": {
                    "id": "liquidity_facility",
                    "label": "Open an emergency liquidity facility",
                    "description": "Recapitalise the weakest banks by 3% of assets and halve the price impact of fire sales for 30 steps.",
                },
                "alternative_action": {
                    "id": "let_markets_clear",
                    "label": "Let the market clear",
                    "description": "No intervention: weak institutions fail and their assets are sold at whatever price the market pays.",
                },
            }
        return None

    def decide(self, decision_id, choice):
        """Applies the answer to the pending decision; returns the resolution event's data."""
        if self.pending is None or self.pending["decision_id"] != decision_id:
            raise LookupError("This decision is no longer pending")
        if choice not in ("recommended", "alternative"):
            raise ValueError("choice must be 'recommended' or 'alternative'")
        decision = self.pending
        action = decision[f"{choice}_action"]
        you = self.entities[YOUR_BANK]
        npa_before, health_before = self.npa_ratio(), self.system_health()
        if action["id"] == "provision_and_deleverage":
            units = you.holdings["real_estate"] * 0.4
            you.holdings["real_estate"] -= units
            you.liquid += units * self.prices["real_estate"] * 0.95
            you.debt += 0.02 * you.assets(self.prices)  # provisions
        elif action["id"] == "forbear_and_extend":
            self.npa_relief = 0.04
            grow = you.holdings["real_estate"] * 0.15
            you.holdings["real_estate"] += grow
            you.debt += grow * self.prices["real_estate"]
        elif action["id"] == "liquidity_facility":
            self.support_until = self.timestep + 30
            for entity in self.entities.values():
                if entity.alive and entity.type == "bank" and entity.health(self.prices) < 0.5:
                    entity.liquid += 0.03 * entity.assets(self.prices)
        self.pending = None
        self.status = "running"
        resolution = {
            "decision_id": decision_id,
            "kind": decision["kind"],
            "choice": choice,
            "action": action,
            "timestep": self.timestep,
            # What the answer did at once: the rest of the run follows from it.
            "effect": {
                "npa_before": round(npa_before, 4),
                "npa_after": round(self.npa_ratio(), 4),
                "health_before": round(health_before, 4),
                "health_after": round(self.system_health(), 4),
            },
        }
        self.resolutions.append(resolution)
        return resolution
