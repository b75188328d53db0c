#pragma once
/// \file Everything a user of the aliasguard runtime needs.

#include "aliasguard/device.h"
#include "aliasguard/dtype.h"
#include "aliasguard/error.h"
#include "aliasguard/generator.h"
#include "aliasguard/nn/layers.h"
#include "aliasguard/nn/module.h"
#include "aliasguard/optim/sgd.h"
#include "aliasguard/ordered_dict.h"
#include "aliasguard/scalar.h"
#include "aliasguard/state_dict.h"
#include "aliasguard/tensor.h"
#include "aliasguard/tensor_options.h"
