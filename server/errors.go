package server

import "github.com/kz-newsroom/vigil/internal/httpjson"

// EMETHOD is the code of a request whose method the route does not accept
// (405); the review API answers it too.
const EMETHOD = httpjson.EMETHOD
