"""The benchmark's baseline: OR-Tools routing on the same VRPTW instances.

A standard, fair setup: the same integer DIMACS matrix as the engines
(distance = travel time), arc cost = distance, a time dimension whose
transit is the service at the origin plus the drive, customers' windows
and the depot's opening hours on the cumul variables, a capacity
dimension, the instance's fleet, first solution by PATH_CHEAPEST_ARC,
then guided local search until the same time limit (OR-Tools routing runs
on one thread). Benchmark only: the application never imports OR-Tools.
"""

from __future__ import annotations

import time

import numpy as np
from ortools.constraint_solver import pywrapcp, routing_enums_pb2

from bench.vrptw_instances import SCALE, Instance, dimacs_matrix


def solve(instance: Instance, time_limit: float) -> tuple[list[list[int]] | None, float]:
    """Routes as lists of customer numbers (None if no solution), and wall seconds."""
    started = time.perf_counter()
    distance = dimacs_matrix(instance.coords)
    size = len(instance.coords)
    service = np.asarray([SCALE * s for s in instance.services], dtype=np.int64)
    travel_and_service = distance + service[:, None]
    np.fill_diagonal(travel_and_service, 0)
    opens, closes = (SCALE * t for t in instance.windows[0])

    manager = pywrapcp.RoutingIndexManager(size, instance.vehicles, 0)
    routing = pywrapcp.RoutingModel(manager)
    distance_index = routing.RegisterTransitMatrix(distance.tolist())
    routing.SetArcCostEvaluatorOfAllVehicles(distance_index)

    time_index = routing.RegisterTransitMatrix(travel_and_service.tolist())
    routing.AddDimension(time_index, closes, closes, False, "Time")
    clock = routing.GetDimensionOrDie("Time")
    for customer in range(1, size):
        ready, due = instance.windows[customer]
        clock.CumulVar(manager.NodeToIndex(customer)).SetRange(SCALE * ready, SCALE * due)
    for vehicle in range(instance.vehicles):
        clock.CumulVar(routing.Start(vehicle)).SetRange(opens, closes)
        clock.CumulVar(routing.End(vehicle)).SetRange(opens, closes)

    # Leaving a customer out is allowed at a prohibitive price: the greedy
    # first solution then always exists (with tight windows and a fixed fleet
    # PATH_CHEAPEST_ARC alone often finds none), and the search serves
    # everyone it can. A customer still left out fails the checker.
    penalty = int(distance.max()) * size * 10
    for customer in range(1, size):
        routing.AddDisjunction([manager.NodeToIndex(customer)], penalty)

    demand_index = routing.RegisterUnaryTransitVector(list(instance.demands))
    routing.AddDimensionWithVehicleCapacity(
        demand_index, 0, [instance.capacity] * instance.vehicles, True, "Load"
    )

    parameters = pywrapcp.DefaultRoutingSearchParameters()
    parameters.first_solution_strategy = routing_enums_pb2.FirstSolutionStrategy.PATH_CHEAPEST_ARC
    parameters.local_search_metaheuristic = (
        routing_enums_pb2.LocalSearchMetaheuristic.GUIDED_LOCAL_SEARCH
    )
    remaining = max(time_limit - (time.perf_counter() - started), 0.01)
    parameters.time_limit.FromMilliseconds(int(remaining * 1000))
    assignment = routing.SolveWithParameters(parameters)
    if assignment is None:
        return None, time.perf_counter() - started

    routes: list[list[int]] = []
    for vehicle in range(instance.vehicles):
        index = assignment.Value(routing.NextVar(routing.Start(vehicle)))
        route = []
        while not routing.IsEnd(index):
            route.append(manager.IndexToNode(index))
            index = assignment.Value(routing.NextVar(index))
        if route:
            routes.append(route)
    return routes, time.perf_counter() - started
