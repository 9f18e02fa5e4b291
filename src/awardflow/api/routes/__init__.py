"""One router per resource; each route is one service call and a response model."""
